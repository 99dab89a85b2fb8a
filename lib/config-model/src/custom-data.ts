import { defineEntityType, heldOf, type Held } from './entity-type';
import { historyOf, isObject, num, str } from './json-shape';

/**
 * "custom_data" entities (entityId "data:<tenantId>:<name>"): a tenant's data
 * set that apps read as request.data[name], and which of its versions is
 * current.
 *
 *   CustomDataPayload { tenantId, name, latestVersion, currentVersion,
 *                       history: [{ action: "push" | "rollback", version, previous, at, actor }], createdAt }
 */
export const ENTITY_CUSTOM_DATA = 'custom_data';

export interface DataHistoryEntry {
  action: 'push' | 'rollback';
  version: number;
  previous: number | null;
  at: number;
  actor: string;
}

export interface CustomDataPayload {
  tenantId: string;
  name: string;
  latestVersion: number;
  currentVersion: number;
  history: DataHistoryEntry[];
  createdAt: number;
}

export type CustomData = CustomDataPayload & Held;

export function dataEntityId(tenantId: string, name: string): string {
  return `data:${tenantId}:${name}`;
}

/** Key of a data set among the held ones: "<tenantId>:<name>" (names are unique per tenant). */
export function dataSetKey(tenantId: string, name: string): string {
  return `${tenantId}:${name}`;
}

export function parseCustomDataPayload(payload: unknown): CustomDataPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  const name = str(payload.name);
  const current = num(payload.currentVersion);
  if (!tenantId || !name || current === undefined) return null;
  return {
    tenantId,
    name,
    latestVersion: num(payload.latestVersion) ?? current,
    currentVersion: current,
    history: historyOf<DataHistoryEntry>(payload.history, ['push', 'rollback']),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export const customDataEntity = defineEntityType<CustomDataPayload, CustomData>({
  type: ENTITY_CUSTOM_DATA,
  parse: parseCustomDataPayload,
  hold: (data, meta) => ({ ...data, ...heldOf(meta) }),
  key: (data) => dataSetKey(data.tenantId, data.name),
});
