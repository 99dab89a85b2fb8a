import { defineEntityType, heldOf, type Held } from './entity-type';
import { isObject, isSha256Hex, num, str } from './json-shape';
import { keyHash, randomToken } from './secrets';

/**
 * "api_key" entities (entityId "apikey:" + first 32 hex of SHA-256(key)): a
 * tenant's key for the config service API.
 *
 *   ApiKeyPayload { keyHash, keyPrefix, tenantId, name?, role: "admin" | "read", revoked, revokedAt?, createdAt }
 *
 * As for site keys, only the hash and the first 8 characters are written.
 * Looked up by the hash of the presented key.
 */
export const ENTITY_API_KEY = 'api_key';

/** Roles of config-service API keys: "admin" may change the tenant's objects, "read" may only read them. */
export const apiKeyRoles = ['admin', 'read'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

export interface ApiKeyPayload {
  keyHash: string;
  keyPrefix: string;
  tenantId: string;
  name?: string;
  role: ApiKeyRole;
  revoked: boolean;
  revokedAt?: number;
  createdAt: number;
}

export type ApiKey = ApiKeyPayload & Held & { entityId: string };

/** A new config-service API key: "vck_" + 32 base62 characters. */
export function newApiKey(): string {
  return `vck_${randomToken(32)}`;
}

export function apiKeyEntityId(key: string): string {
  return `apikey:${keyHash(key).slice(0, 32)}`;
}

export function parseApiKeyPayload(payload: unknown): ApiKeyPayload | null {
  if (!isObject(payload)) return null;
  const hash = str(payload.keyHash);
  const tenantId = str(payload.tenantId);
  if (!isSha256Hex(hash) || !tenantId) return null;
  const role = (apiKeyRoles as readonly unknown[]).includes(payload.role) ? (payload.role as ApiKeyRole) : 'read';
  return {
    keyHash: hash,
    keyPrefix: str(payload.keyPrefix) ?? '',
    tenantId,
    name: str(payload.name),
    role,
    revoked: payload.revoked === true,
    revokedAt: num(payload.revokedAt),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export const apiKeyEntity = defineEntityType<ApiKeyPayload, ApiKey>({
  type: ENTITY_API_KEY,
  parse: parseApiKeyPayload,
  hold: (key, meta) => ({ ...key, ...heldOf(meta), entityId: meta.entityId }),
  key: (key) => key.keyHash,
});
