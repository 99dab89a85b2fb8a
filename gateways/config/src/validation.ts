import ipaddr from 'ipaddr.js';
import { isHostname, isUrl } from '@vane/apps';
import type { ConfigChange } from '@vane/schemas';
import { configChange, type ConfigState } from '@vane/config-model';
import { VaneError } from '@vane/core';

/** Names and ids the config service accepts. */
export const TENANT_ID = /^[a-z][a-z0-9-]{1,31}$/;
/** App names, data set names: the app id is "<tenantId>.<name>". */
export const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Provider ids are global (they key scores.v1). */
export const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function check(ok: boolean, field: string, message: string): asserts ok {
  if (!ok) throw new VaneError('VANE_ERR_VALIDATION', `${field}: ${message}`, { field });
}

export function checkHostname(value: unknown, field: string): string {
  check(typeof value === 'string' && isHostname(value) && !value.endsWith('.'), field, `${JSON.stringify(value)} is not a host name`);
  return value.toLowerCase();
}

export function checkAddresses(value: unknown, field: string): string[] {
  check(Array.isArray(value) && value.length <= 32, field, 'must be a list of at most 32 IP addresses');
  return value.map((a, i) => {
    check(typeof a === 'string' && ipaddr.isValid(a), `${field}.${i}`, `${JSON.stringify(a)} is not an IP address`);
    return ipaddr.parse(a).toString();
  });
}

export function checkUrl(value: unknown, field: string): string {
  check(typeof value === 'string' && isUrl(value), field, `${JSON.stringify(value)} is not an http(s) URL`);
  return value;
}

/** Whether `name` is `zone` or inside it. */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** A DNS name an app may answer: a host name or "*.<host name>". */
export function checkAppHostname(value: unknown, field: string, zone: string): string {
  check(typeof value === 'string', field, 'must be a string');
  const name = value.toLowerCase().replace(/\.$/, '');
  const base = name.startsWith('*.') ? name.slice(2) : name;
  check(isHostname(base), field, `${JSON.stringify(value)} is not a host name or "*.<host name>"`);
  check(inZone(base, zone), field, `${name} is not in the app's zone ${zone}`);
  return name;
}

/** Next entity version of `entityId` (1 for a new one; deleted entities keep counting). */
function nextVersion(state: ConfigState, entityId: string): number {
  return (state.entity(entityId)?.version ?? 0) + 1;
}

export function upsert(state: ConfigState, entityId: string, entityType: string, tenantId: string, payload: object, actor: string, at: number): ConfigChange {
  return configChange({ entityId, entityType, tenantId, version: nextVersion(state, entityId), op: 'upsert', actor, payload, at });
}

export function remove(state: ConfigState, entityId: string, entityType: string, tenantId: string, actor: string, at: number): ConfigChange {
  return configChange({ entityId, entityType, tenantId, version: nextVersion(state, entityId), op: 'delete', actor, payload: null, at });
}

/** Bytes of a value as JSON (UTF-8). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}
