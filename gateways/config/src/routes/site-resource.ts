import { ENTITY_KEY, parseKeyPayload, type ConfigState, type Site } from '@vane/config-model';
import { VaneError } from '@vane/core';

/**
 * A site as the site routes read and show it: the caller's own site and its
 * JSON view with its keys.
 */

/** The tenant's site `siteId`; VANE_ERR_NOT_FOUND when it does not exist or belongs to another tenant. */
export function ownSite(state: ConfigState, tenantId: string, siteId: string): Site {
  const site = state.site(siteId);
  if (!site || site.tenantId !== tenantId) throw new VaneError('VANE_ERR_NOT_FOUND', `no site ${siteId}`);
  return site;
}

function siteKeys(state: ConfigState, siteId: string): Record<string, unknown>[] {
  return state
    .entitiesOfType(ENTITY_KEY)
    .map((e) => ({ id: e.entityId, key: parseKeyPayload(e.payload) }))
    .filter((k) => k.key?.siteId === siteId)
    .map((k) => ({ keyId: k.id, keyPrefix: k.key!.keyPrefix, scopes: k.key!.scopes, revoked: k.key!.revoked }));
}

export function siteView(state: ConfigState, site: Site): Record<string, unknown> {
  return { siteId: site.siteId, domain: site.domain, name: site.name ?? null, hostnames: site.hostnames ?? [], providers: site.providers ?? [], createdAt: site.createdAt, keys: siteKeys(state, site.siteId) };
}
