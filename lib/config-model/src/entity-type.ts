/**
 * What ConfigState needs to know of an entity type to index it: how to read
 * its payload, what it holds once read, and under which key (and optional
 * group) typed lookups find it. Each entity type's file exports one
 * descriptor; entity-types.ts lists them.
 */

/** What a change says about the entity besides its payload. */
export interface ChangeMeta {
  entityId: string;
  /** The owning tenant: the change's tenantId, whatever the payload claims. */
  tenantId: string;
  /** The entity's version in config.changes.v1. */
  version: number;
}

export interface EntityType<P, T> {
  /** ConfigChange.entityType, e.g. "site". */
  readonly type: string;
  /** The payload, or null when the JSON does not have this type's shape (the entity is then held raw only). */
  parse(payload: unknown): P | null;
  /** The typed entity held for a parsed payload. */
  hold(payload: P, meta: ChangeMeta): T;
  /** Key of the typed lookup (unique per type): an id, a key hash, "<tenant>:<name>"… */
  key(held: T, meta: ChangeMeta): string;
  /** Optional group, for "every X of Y" lookups (an app's versions), listed in key order of insertion. */
  group?(held: T): string;
}

/** Identity helper that infers P and T. */
export function defineEntityType<P, T>(type: EntityType<P, T>): EntityType<P, T> {
  return type;
}

/** The entity version of a config-service entity (apps and data sets have versions of their own). */
export interface Held {
  tenantId: string;
  /** Entity version (config.changes.v1), not the app or data version. */
  entityVersion: number;
}

export function heldOf(meta: ChangeMeta): Held {
  return { tenantId: meta.tenantId, entityVersion: meta.version };
}
