import { defineEntityType } from './entity-type';
import { isObject, isSha256Hex, num, str } from './json-shape';
import { keyHash, randomToken } from './secrets';

/**
 * "read-key" entities (entityId = readKeyEntityId(key) = "rkey_" + first 32
 * hex of SHA-256(key)): a key that reads one site's analytics (Stats API,
 * realtime websocket, dashboard). An ingest key is public and never reads;
 * a read key never ingests.
 *
 *   ReadKeyPayload { keyHash, keyPrefix, siteId, revoked, revokedAt?, createdAt }
 *
 * As for ingest keys, only the hash and the first 8 characters are on the
 * topic. Looked up by the hash of the presented key.
 */
export const ENTITY_READ_KEY = 'read-key';

export interface ReadKeyPayload {
  keyHash: string;
  keyPrefix: string;
  siteId: string;
  revoked: boolean;
  revokedAt?: number;
  createdAt: number;
}

export interface ReadKey extends ReadKeyPayload {
  entityId: string;
  tenantId: string;
  version: number;
}

/** A new read key: "rk_" + 32 base62 characters (about 190 bits). */
export function newReadKey(): string {
  return `rk_${randomToken(32)}`;
}

export function readKeyEntityId(key: string): string {
  return `rkey_${keyHash(key).slice(0, 32)}`;
}

/** The payload of a new read key `key` of `siteId`. */
export function readKeyPayload(key: string, siteId: string, at: number): ReadKeyPayload {
  return { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), siteId, revoked: false, createdAt: at };
}

export function parseReadKeyPayload(payload: unknown): ReadKeyPayload | null {
  if (!isObject(payload)) return null;
  const hash = str(payload.keyHash);
  const siteId = str(payload.siteId);
  if (!isSha256Hex(hash) || !siteId) return null;
  return { keyHash: hash, keyPrefix: str(payload.keyPrefix) ?? '', siteId, revoked: payload.revoked === true, revokedAt: num(payload.revokedAt), createdAt: num(payload.createdAt) ?? 0 };
}

export const readKeyEntity = defineEntityType<ReadKeyPayload, ReadKey>({
  type: ENTITY_READ_KEY,
  parse: parseReadKeyPayload,
  hold: (key, meta) => ({ ...key, tenantId: meta.tenantId, version: meta.version, entityId: meta.entityId }),
  key: (key) => key.keyHash,
});
