import { VaneError } from '@vane/core';

/**
 * A snapshot version is the position in scores.v1 the score table reflects:
 * for every partition, the offset after the last record applied. Wire form:
 * the offsets in partition order joined by "." (e.g. "120.0.87.3.0.9"), so
 * it is comparable between gateway instances reading the same topic.
 */
export type Version = readonly number[];

export function formatVersion(v: Version): string {
  return v.join('.');
}

export function parseVersion(raw: string, partitions?: number): Version {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(raw)) throw new VaneError('VANE_ERR_VERSION_INVALID', `version '${raw.slice(0, 100)}' is not a list of offsets joined by '.'`);
  const v = raw.split('.').map(Number);
  if (v.some((n) => !Number.isSafeInteger(n))) throw new VaneError('VANE_ERR_VERSION_INVALID', `version '${raw.slice(0, 100)}' has an offset out of range`);
  if (partitions !== undefined && v.length !== partitions) {
    throw new VaneError('VANE_ERR_VERSION_GONE', `version has ${v.length} partitions, the topic has ${partitions}: fetch a new snapshot`);
  }
  return v;
}

/** Whether a change at (partition, offset) comes after version `v` (is not reflected by it). */
export function isAfter(v: Version, partition: number, offset: number): boolean {
  return offset >= (v[partition] ?? 0);
}
