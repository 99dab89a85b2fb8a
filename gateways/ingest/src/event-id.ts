import { createHash, randomUUID } from 'node:crypto';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A random (v4) UUID for an event the client gave no id. */
export function newEventId(): string {
  return randomUUID();
}

/** Namespace of Vane's name-based ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1c2a9e4b7d4e0f8a3c5d2e1b0f9a87', 'hex');

/**
 * A name-based (v5, SHA-1) UUID: the same name always gives the same id, so
 * a retried upload yields the same event ids (RFC 9562 §5.5).
 */
export function derivedEventId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
