import { defineEntityType } from './entity-type';
import { isObject, isSha256Hex, num, str, strings } from './json-shape';
import { keyHash, randomToken } from './secrets';

/**
 * "key" entities (entityId = keyEntityId(key) = "key_" + first 32 hex of
 * SHA-256(key)): an ingest key of a site.
 *
 *   KeyPayload { keyHash, keyPrefix, siteId, scopes: KeyScope[], revoked, revokedAt?,
 *                rateLimitPerMinute?, dailyLimit?, createdAt }
 *
 * The key itself is never written to the topic: only its SHA-256 (hex) and
 * its first 8 characters (for display). Scopes say which ingest endpoints the
 * key may call. `rateLimitPerMinute` and `dailyLimit` override the gateway's
 * defaults for this key. Looked up by the hash of the presented key.
 */
export const ENTITY_KEY = 'key';

/** The ingest endpoints a key may be allowed to call. */
export const keyScopes = ['beacon', 'logs', 'measurements', 'events'] as const;
export type KeyScope = (typeof keyScopes)[number];

export interface KeyPayload {
  /** Lower-case hex SHA-256 of the UTF-8 key. */
  keyHash: string;
  /** First 8 characters of the key, for display only. */
  keyPrefix: string;
  siteId: string;
  scopes: KeyScope[];
  revoked: boolean;
  revokedAt?: number;
  rateLimitPerMinute?: number;
  dailyLimit?: number;
  createdAt: number;
}

export interface SiteKey extends KeyPayload {
  entityId: string;
  tenantId: string;
  version: number;
}

/** A new site key: "vk_" + 32 base62 characters (about 190 bits). */
export function newSiteKey(): string {
  return `vk_${randomToken(32)}`;
}

/** entityId of the key entity of `key` (derived from its hash: the key is never on the topic). */
export function keyEntityId(key: string): string {
  return `key_${keyHash(key).slice(0, 32)}`;
}

export function parseKeyPayload(payload: unknown): KeyPayload | null {
  if (!isObject(payload)) return null;
  const hash = str(payload.keyHash);
  const siteId = str(payload.siteId);
  if (!isSha256Hex(hash) || !siteId) return null;
  const scopes = (strings(payload.scopes) ?? []).filter((s): s is KeyScope => (keyScopes as readonly string[]).includes(s));
  return {
    keyHash: hash,
    keyPrefix: str(payload.keyPrefix) ?? '',
    siteId,
    scopes,
    revoked: payload.revoked === true,
    revokedAt: num(payload.revokedAt),
    rateLimitPerMinute: num(payload.rateLimitPerMinute),
    dailyLimit: num(payload.dailyLimit),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export const siteKeyEntity = defineEntityType<KeyPayload, SiteKey>({
  type: ENTITY_KEY,
  parse: parseKeyPayload,
  hold: (key, meta) => ({ ...key, tenantId: meta.tenantId, version: meta.version, entityId: meta.entityId }),
  key: (key) => key.keyHash,
});
