import { dataSetKey } from './custom-data';
import { defineEntityType, heldOf, type Held } from './entity-type';
import { isObject, num, str } from './json-shape';

/**
 * "custom_data_version" entities (entityId "datav:<tenantId>:<name>:<n>",
 * written once): one version of a custom data set.
 *
 *   CustomDataVersionPayload { tenantId, name, version, data (any JSON), bytes, createdAt, createdBy }
 */
export const ENTITY_CUSTOM_DATA_VERSION = 'custom_data_version';

export interface CustomDataVersionPayload {
  tenantId: string;
  name: string;
  version: number;
  data: unknown;
  bytes: number;
  createdAt: number;
  createdBy: string;
}

export type CustomDataVersion = CustomDataVersionPayload & Held;

export function dataVersionEntityId(tenantId: string, name: string, version: number): string {
  return `datav:${tenantId}:${name}:${version}`;
}

/** Key of a data version among the held ones. */
export function dataVersionKey(tenantId: string, name: string, version: number): string {
  return `${dataSetKey(tenantId, name)}:${version}`;
}

export function parseCustomDataVersionPayload(payload: unknown): CustomDataVersionPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  const name = str(payload.name);
  const version = num(payload.version);
  if (!tenantId || !name || version === undefined || !('data' in payload)) return null;
  return { tenantId, name, version, data: payload.data, bytes: num(payload.bytes) ?? 0, createdAt: num(payload.createdAt) ?? 0, createdBy: str(payload.createdBy) ?? '' };
}

export const customDataVersionEntity = defineEntityType<CustomDataVersionPayload, CustomDataVersion>({
  type: ENTITY_CUSTOM_DATA_VERSION,
  parse: parseCustomDataVersionPayload,
  hold: (version, meta) => ({ ...version, ...heldOf(meta) }),
  key: (version) => dataVersionKey(version.tenantId, version.name, version.version),
  group: (version) => dataSetKey(version.tenantId, version.name),
});
