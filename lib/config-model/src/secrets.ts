import { createHash, randomBytes } from 'node:crypto';

/**
 * Random ids and keys, and the hash that stands for a key on the topic: a key
 * itself (site key, API key) is never written to config.changes.v1, only its
 * SHA-256 and its first 8 characters.
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `length` random base62 characters. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** Lower-case hex SHA-256 of the UTF-8 key. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

