import { normaliseMac } from './mac-address';
import { AGE, inRange, WIFI_CHANNEL, WIFI_FREQUENCY, WIFI_SIGNAL, WIFI_SNR } from './field-limits';
import { dedupe, type Comparator } from './dedupe';

/** One WiFi access point of a query or submission, validated. */
export interface WifiEntry {
  /** BSSID, lower-case, colon separated. */
  mac: string;
  /** Network name as sent; null when not sent. */
  ssid: string | null;
  /** dBm, -100 to -10. */
  signal: number | null;
  /** dB, 1 to 100. */
  snr: number | null;
  /** 1 to 199; derived from the frequency when only that was sent. */
  channel: number | null;
  /** MHz, 2400 to 5999; derived from the channel when only that was sent. */
  frequency: number | null;
  /** ms since the access point was seen, relative to the query or observation. */
  age: number | null;
  /** 802.11 variant as sent in geosubmit (e.g. "802.11n"); null otherwise. */
  radioType: string | null;
}

/** The fields of an entry as read from the body, before validation. */
export interface RawWifi {
  macAddress: string | null;
  ssid: string | null;
  signalStrength: number | null;
  signalToNoiseRatio: number | null;
  channel: number | null;
  frequency: number | null;
  age: number | null;
  radioType: string | null;
}

/**
 * Privacy opt-out: a hidden network (an SSID that is empty or only NULs)
 * or one whose SSID ends in "_nomap" (any case) is never used nor kept. An
 * SSID that was simply not sent is not hidden (Google-style clients omit it).
 */
export function isOptedOut(ssid: string | null): boolean {
  if (ssid === null) return false;
  if (/^\u0000*$/.test(ssid)) return true;
  return ssid.toLowerCase().endsWith('_nomap');
}

/** The entry with out-of-range fields nulled, or null when its MAC is unusable. */
export function validWifi(raw: RawWifi): WifiEntry | null {
  const mac = raw.macAddress === null ? null : normaliseMac(raw.macAddress);
  if (mac === null) return null;
  const keep = (value: number | null, range: { min: number; max: number }): number | null =>
    value !== null && inRange(value, range) ? value : null;
  let channel = keep(raw.channel, WIFI_CHANNEL);
  let frequency = keep(raw.frequency, WIFI_FREQUENCY);
  if (channel === null && frequency !== null) channel = channelOf(frequency);
  if (frequency === null && channel !== null) frequency = frequencyOf(channel);
  return {
    mac,
    ssid: raw.ssid,
    signal: keep(raw.signalStrength, WIFI_SIGNAL),
    snr: keep(raw.signalToNoiseRatio, WIFI_SNR),
    channel,
    frequency,
    age: keep(raw.age, AGE),
    radioType: raw.radioType,
  };
}

/** Centre frequency (MHz) of a channel in the 2.4, 4.9 or 5 GHz band; null when there is none. */
export function frequencyOf(channel: number): number | null {
  if (channel > 0 && channel < 14) return channel * 5 + 2407;
  if (channel === 14) return 2484;
  if (channel > 14 && channel < 186) return channel * 5 + 5000;
  if (channel > 185 && channel < 200) return channel * 5 + 4000;
  return null;
}

/** Channel of a centre frequency (MHz); null outside the bands. */
export function channelOf(frequency: number): number | null {
  if (frequency > 2411 && frequency < 2473) return Math.floor((frequency - 2407) / 5);
  if (frequency === 2484) return 14;
  if (frequency > 4914 && frequency < 4996) return Math.floor((frequency - 4000) / 5);
  if (frequency > 5074 && frequency < 5926) return Math.floor((frequency - 5000) / 5);
  return null;
}

/** Stronger signal, then better signal-to-noise, then more recent. */
const WIFI_ORDER: readonly Comparator<WifiEntry>[] = [
  [(w) => w.signal, true],
  [(w) => w.snr, true],
  [(w) => (w.age === null ? null : Math.abs(w.age)), false],
];

export function dedupeWifi(entries: readonly WifiEntry[]): WifiEntry[] {
  return dedupe(entries, (w) => w.mac, WIFI_ORDER);
}
