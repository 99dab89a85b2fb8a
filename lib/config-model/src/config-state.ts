import type { ConfigChange } from '@vane/schemas';
import { apiKeyEntity, type ApiKey } from './api-key';
import { appEntity, type App } from './app';
import { appVersionEntity, appVersionKey, type AppVersion } from './app-version';
import { customDataEntity, dataSetKey, type CustomData } from './custom-data';
import { customDataVersionEntity, dataVersionKey, type CustomDataVersion } from './custom-data-version';
import type { ChangeMeta, EntityType } from './entity-type';
import { entityTypes } from './entity-types';
import { providerEntity, type Provider } from './provider';
import { keyHash } from './secrets';
import { siteEntity, type Site } from './site';
import { siteKeyEntity, type SiteKey } from './site-key';
import { tenantEntity, type Tenant } from './tenant';

/**
 * The current configuration, folded from config.changes.v1. Pure: no I/O.
 *
 * Record contract (schema: schemas/avro/config.changes.v1.avsc): key =
 * entityId; value = ConfigChange {entityId, entityType, tenantId, version, op,
 * at, actor, payload (JSON text of the whole entity after the change, null on
 * delete), checksum}. Folding the topic by entityId, keeping for each entity
 * the change with the highest version, gives the current configuration. A
 * change whose version is not above the one held is ignored; a Kafka
 * tombstone (null value) forgets the entity. Payloads are JSON objects whose
 * shape depends on entityType (one file per type in this package); unknown
 * properties are kept by writers and ignored by readers.
 *
 * Typed lookups parse an entity's payload once, when the change is applied;
 * an entity whose payload does not have its type's shape, or whose type is
 * not in entity-types.ts, is held raw only.
 */

/** One entity as folded from the topic, payload parsed from JSON but not checked against a type. */
export interface ConfigEntity {
  entityId: string;
  entityType: string;
  tenantId: string;
  version: number;
  at: number;
  /** Who made the change (ConfigChange.actor). */
  actor?: string;
  /** SHA-256 of the payload JSON as written (ConfigChange.checksum). */
  checksum?: string | null;
  payload: unknown;
}

interface Indexed {
  entityId: string;
  held: unknown;
}

/** The typed entities of one entity type: by key, and by group for types that have one. */
class TypeIndex {
  readonly byKey = new Map<string, Indexed>();
  readonly byGroup = new Map<string, Map<string, unknown>>();

  constructor(readonly type: EntityType<unknown, unknown>) {}
}

interface Placement {
  index: TypeIndex;
  key: string;
  group: string | undefined;
}

export class ConfigState {
  private readonly entities = new Map<string, ConfigEntity>();
  private readonly indexes = new Map<string, TypeIndex>();
  /** Where each entity's typed form is indexed, to take it out again. */
  private readonly placements = new Map<string, Placement>();
  private readonly listeners = new Set<(entity: ConfigEntity, op: 'upsert' | 'delete') => void>();
  /** SHA-256 of recently presented keys (a hash per request is measurable at beacon rates). */
  private readonly presentedHashes = new Map<string, string>();

  constructor() {
    for (const type of entityTypes) this.indexes.set(type.type, new TypeIndex(type));
  }

  /** Applies one change; false when it was ignored (an old version, or unreadable JSON). */
  apply(change: ConfigChange): boolean {
    const held = this.entities.get(change.entityId);
    if (held && change.version <= held.version) return false;
    if (change.op === 'delete') {
      this.unindex(change.entityId);
      // Remember the version so that a late, older upsert is still ignored.
      const deleted: ConfigEntity = { ...this.base(change), payload: null };
      this.entities.set(change.entityId, deleted);
      this.notify(deleted, 'delete');
      return true;
    }
    let payload: unknown;
    try {
      payload = change.payload === null ? null : (JSON.parse(change.payload) as unknown);
    } catch {
      return false;
    }
    this.unindex(change.entityId);
    const entity: ConfigEntity = { ...this.base(change), payload };
    this.entities.set(change.entityId, entity);
    this.index(entity);
    this.notify(entity, 'upsert');
    return true;
  }

  /** A Kafka tombstone (null value) for `entityId`: the entity is gone, whatever its version. */
  tombstone(entityId: string): void {
    const held = this.entities.get(entityId);
    this.unindex(entityId);
    this.entities.delete(entityId);
    if (held) this.notify({ ...held, payload: null }, 'delete');
  }

  private base(change: ConfigChange): Omit<ConfigEntity, 'payload'> {
    return {
      entityId: change.entityId,
      entityType: change.entityType,
      tenantId: change.tenantId,
      version: change.version,
      at: change.at,
      actor: change.actor,
      checksum: change.checksum,
    };
  }

  /** Indexes the typed form of an entity. The owning tenant is the change's tenantId, whatever the payload says. */
  private index(entity: ConfigEntity): void {
    const index = this.indexes.get(entity.entityType);
    if (!index) return;
    const parsed = index.type.parse(entity.payload);
    if (parsed === null) return;
    const meta: ChangeMeta = { entityId: entity.entityId, tenantId: entity.tenantId, version: entity.version };
    const held = index.type.hold(parsed, meta);
    const key = index.type.key(held, meta);
    const group = index.type.group?.(held);
    index.byKey.set(key, { entityId: entity.entityId, held });
    if (group !== undefined) {
      let members = index.byGroup.get(group);
      if (!members) index.byGroup.set(group, (members = new Map()));
      members.set(key, held);
    }
    this.placements.set(entity.entityId, { index, key, group });
  }

  private unindex(entityId: string): void {
    const placement = this.placements.get(entityId);
    if (!placement) return;
    this.placements.delete(entityId);
    const { index, key, group } = placement;
    // Another entity may have taken the key since (a key hash, a name): it stays.
    if (index.byKey.get(key)?.entityId !== entityId) return;
    index.byKey.delete(key);
    if (group !== undefined) {
      const members = index.byGroup.get(group);
      members?.delete(key);
      if (members?.size === 0) index.byGroup.delete(group);
    }
  }

  private notify(entity: ConfigEntity, op: 'upsert' | 'delete'): void {
    for (const listener of this.listeners) listener(entity, op);
  }

  /** Called after every applied change; returns an unsubscribe function. */
  onChange(listener: (entity: ConfigEntity, op: 'upsert' | 'delete') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------ any entity type

  /** The typed entity of `type` held under `key` (the key its descriptor gives). */
  lookup<T>(type: EntityType<unknown, T>, key: string): T | undefined {
    return this.indexes.get(type.type)?.byKey.get(key)?.held as T | undefined;
  }

  /** Every typed entity of `type`. */
  all<T>(type: EntityType<unknown, T>): T[] {
    return [...(this.indexes.get(type.type)?.byKey.values() ?? [])].map((i) => i.held as T);
  }

  /** The typed entities of `type` in `group` (for types whose descriptor has one). */
  grouped<T>(type: EntityType<unknown, T>, group: string): T[] {
    return [...(this.indexes.get(type.type)?.byGroup.get(group)?.values() ?? [])] as T[];
  }

  /** Any entity, of any type, as held (deleted entities have a null payload). */
  entity(entityId: string): ConfigEntity | undefined {
    return this.entities.get(entityId);
  }

  /** Live (not deleted) entities by type, e.g. for a type this package does not know. */
  entitiesOfType(entityType: string): ConfigEntity[] {
    return [...this.entities.values()].filter((e) => e.entityType === entityType && e.payload !== null);
  }

  // ------------------------------------------------------------ typed lookups

  site(siteId: string): Site | undefined {
    return this.lookup(siteEntity, siteId);
  }

  /** The key entity for a presented key (looked up by hash), revoked or not. */
  key(presented: string): SiteKey | undefined {
    let hash = this.presentedHashes.get(presented);
    if (hash === undefined) {
      hash = keyHash(presented);
      if (this.presentedHashes.size >= 10_000) this.presentedHashes.clear();
      this.presentedHashes.set(presented, hash);
    }
    return this.lookup(siteKeyEntity, hash);
  }

  provider(providerId: string): Provider | undefined {
    return this.lookup(providerEntity, providerId);
  }

  /** Every provider held (any tenant). */
  allProviders(): Provider[] {
    return this.all(providerEntity);
  }

  tenant(tenantId: string): Tenant | undefined {
    return this.lookup(tenantEntity, tenantId);
  }

  allTenants(): Tenant[] {
    return this.all(tenantEntity);
  }

  /** The config-service API key for a presented key (looked up by hash), revoked or not. */
  apiKey(presented: string): ApiKey | undefined {
    return this.lookup(apiKeyEntity, keyHash(presented));
  }

  apiKeysOf(tenantId: string): ApiKey[] {
    return this.all(apiKeyEntity).filter((k) => k.tenantId === tenantId);
  }

  app(appId: string): App | undefined {
    return this.lookup(appEntity, appId);
  }

  allApps(): App[] {
    return this.all(appEntity);
  }

  appVersion(appId: string, version: number): AppVersion | undefined {
    return this.lookup(appVersionEntity, appVersionKey(appId, version));
  }

  /** Every held version of an app, oldest first. */
  appVersionsOf(appId: string): AppVersion[] {
    return this.grouped(appVersionEntity, appId).sort((a, b) => a.version - b.version);
  }

  customData(tenantId: string, name: string): CustomData | undefined {
    return this.lookup(customDataEntity, dataSetKey(tenantId, name));
  }

  customDataOf(tenantId: string): CustomData[] {
    return this.all(customDataEntity).filter((d) => d.tenantId === tenantId);
  }

  customDataVersion(tenantId: string, name: string, version: number): CustomDataVersion | undefined {
    return this.lookup(customDataVersionEntity, dataVersionKey(tenantId, name, version));
  }

  /** Every held version of a data set, oldest first. */
  customDataVersionsOf(tenantId: string, name: string): CustomDataVersion[] {
    return this.grouped(customDataVersionEntity, dataSetKey(tenantId, name)).sort((a, b) => a.version - b.version);
  }

  counts(): Record<string, number> {
    const size = (type: EntityType<unknown, unknown>): number => this.indexes.get(type.type)?.byKey.size ?? 0;
    return {
      sites: size(siteEntity),
      keys: size(siteKeyEntity),
      providers: size(providerEntity),
      tenants: size(tenantEntity),
      apps: size(appEntity),
      entities: this.entities.size,
    };
  }
}
