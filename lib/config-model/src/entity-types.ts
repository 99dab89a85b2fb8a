import { apiKeyEntity } from './api-key';
import { appEntity } from './app';
import { appVersionEntity } from './app-version';
import { customDataEntity } from './custom-data';
import { customDataVersionEntity } from './custom-data-version';
import type { EntityType } from './entity-type';
import { providerEntity } from './provider';
import { readKeyEntity } from './read-key';
import { siteEntity } from './site';
import { siteKeyEntity } from './site-key';
import { tenantEntity } from './tenant';

/**
 * Every entity type of config.changes.v1 that ConfigState indexes. A new
 * entity type is a new file (payload type, parser, entity id, an
 * EntityType descriptor) listed here; ConfigState then finds it with
 * `lookup`, `all` and `grouped`. A type not listed is still held raw
 * (ConfigState.entity, entitiesOfType).
 */
export const entityTypes: readonly EntityType<unknown, unknown>[] = [
  siteEntity,
  siteKeyEntity,
  readKeyEntity,
  providerEntity,
  tenantEntity,
  apiKeyEntity,
  appEntity,
  appVersionEntity,
  customDataEntity,
  customDataVersionEntity,
];
