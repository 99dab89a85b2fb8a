import type { ConfigState, CustomData, CustomDataPayload, CustomDataVersion } from '@vane/config-model';
import { VaneError } from '@vane/core';

/**
 * A custom data set as the data routes read and show it: the caller's own
 * set, its payload for the next write, and the JSON views of sets and
 * versions.
 */

/** Steps of a data set's push/rollback history kept. */
export const HISTORY_KEPT = 100;

/** The tenant's data set `name`; VANE_ERR_NOT_FOUND when there is none. */
export function ownDataSet(state: ConfigState, tenantId: string, name: string): CustomData {
  const set = state.customData(tenantId, name);
  if (!set) throw new VaneError('VANE_ERR_NOT_FOUND', `no data set ${name}`);
  return set;
}

/** The payload of a held set (without the entity version), to change and write back. */
export function dataPayloadOf(set: CustomData): CustomDataPayload {
  const { entityVersion: _v, ...payload } = set;
  return payload;
}

export function setView(d: CustomData): Record<string, unknown> {
  return { name: d.name, currentVersion: d.currentVersion, latestVersion: d.latestVersion, history: d.history, createdAt: d.createdAt };
}

export function versionView(v: CustomDataVersion): Record<string, unknown> {
  return { name: v.name, version: v.version, data: v.data, bytes: v.bytes, createdAt: v.createdAt, createdBy: v.createdBy };
}
