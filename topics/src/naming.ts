import { readEnv, VaneError, type Env } from '@vane/core';
import type { TopicName } from '@vane/schemas';

/**
 * Logical topic names (`ingest.beacons.v1`) map to physical names with an
 * optional prefix, so that tests, replays and several environments can share
 * one cluster (VANE_TOPIC_PREFIX, e.g. `test-3f2a.`). Schema subjects follow
 * the physical name: `<prefix><topic>-value`.
 */
export interface TopicNaming {
  prefix: string;
}

export const defaultNaming: TopicNaming = { prefix: '' };

export function namingFromEnv(env: Env): TopicNaming {
  const prefix = readEnv(env).string('VANE_TOPIC_PREFIX', { default: '' });
  if (prefix && !/^[A-Za-z0-9._-]+$/.test(prefix)) {
    throw new VaneError('VANE_ERR_CONFIG', `VANE_TOPIC_PREFIX=${prefix} may only hold letters, digits, '.', '_' and '-'`);
  }
  return { prefix };
}

export function physicalTopic(name: TopicName | string, naming: TopicNaming): string {
  return `${naming.prefix}${name}`;
}

export function logicalTopic(physical: string, naming: TopicNaming): string {
  return naming.prefix && physical.startsWith(naming.prefix) ? physical.slice(naming.prefix.length) : physical;
}

export function valueSubjectOf(name: TopicName | string, naming: TopicNaming): string {
  return `${physicalTopic(name, naming)}-value`;
}
