import { defineEntityType, heldOf, type Held } from './entity-type';
import { isObject, num, str } from './json-shape';

/**
 * "tenant" entities (entityId "tenant:<tenantId>"): a customer of the config
 * service; every other entity belongs to one.
 *
 *   TenantPayload { tenantId, name?, disabled?, createdAt }
 */
export const ENTITY_TENANT = 'tenant';

export interface TenantPayload {
  tenantId: string;
  name?: string;
  disabled?: boolean;
  createdAt: number;
}

export type Tenant = TenantPayload & Held;

export function tenantEntityId(tenantId: string): string {
  return `tenant:${tenantId}`;
}

export function parseTenantPayload(payload: unknown): TenantPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  if (!tenantId) return null;
  return { tenantId, name: str(payload.name), disabled: payload.disabled === true, createdAt: num(payload.createdAt) ?? 0 };
}

export const tenantEntity = defineEntityType<TenantPayload, Tenant>({
  type: ENTITY_TENANT,
  parse: parseTenantPayload,
  hold: (tenant, meta) => ({ ...tenant, ...heldOf(meta) }),
  // Found by the id the payload names (the entity id is "tenant:<that id>").
  key: (tenant) => tenant.tenantId,
});
