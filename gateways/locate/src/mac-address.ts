/**
 * MAC addresses (WiFi BSSIDs, Bluetooth addresses) as the API accepts them:
 * 12 hex digits in upper or lower case, separated by `:`, `-`, `.` or
 * nothing. Normal form: lower case, colon separated ("01:23:45:67:89:ab"),
 * the form every topic carries. All-zero, all-one and the IETF documentation
 * multicast address 01:00:5e:90:10:00 (which test clients send) are refused.
 */
const HEX12 = /^[0-9a-f]{12}$/;
const REFUSED = new Set(['000000000000', 'ffffffffffff', '01005e901000']);

/** The 12 lower-case hex digits of a MAC, or null when `raw` is not a usable one. */
export function compactMac(raw: string): string | null {
  const hex = raw.replace(/[:\-.]/g, '').toLowerCase();
  if (!HEX12.test(hex) || REFUSED.has(hex)) return null;
  return hex;
}

/** The colon-separated lower-case form, or null when `raw` is not a usable MAC. */
export function normaliseMac(raw: string): string | null {
  const hex = compactMac(raw);
  return hex === null ? null : hex.replace(/(..)(?!$)/g, '$1:');
}
