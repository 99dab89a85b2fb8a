import type { TopicName } from '@vane/schemas';

/**
 * The topic catalogue: every topic of the platform, named
 * `<domain>.<entity>.v<N>` (a breaking schema change is a new topic version;
 * README "Topics and schemas"). Partition counts
 * are defaults for the local single-broker stack and small clusters;
 * replication follows the cluster (see apply.ts). Keys are UTF-8 strings
 * for every topic; values are Avro in the Confluent wire format under the
 * `<topic>-value` subject.
 */
export interface TopicDefinition {
  name: TopicName;
  description: string;
  /** What the record key holds (always a UTF-8 string). */
  key: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  /** retention.ms for delete topics; compacted topics keep the latest record per key forever. */
  retentionMs?: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const catalog: readonly TopicDefinition[] = [
  { name: 'ingest.beacons.v1', description: 'analytics beacons (pageview, event, web vitals)', key: 'site id', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'ingest.serverlogs.v1', description: 'parsed nginx/apache access-log lines', key: 'site id', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'ingest.measurements.v1', description: 'RUM and synthetic measurements', key: 'location key', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'ingest.downloads.v1', description: 'download/share events (Glow)', key: 'event type', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'ingest.geosubmit.v1', description: 'location observations (Ichnaea submit)', key: 'none (empty)', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'config.changes.v1', description: 'routing apps, API keys, sites, custom data', key: 'entity id', partitions: 1, cleanupPolicy: 'compact' },
  { name: 'scores.v1', description: 'current score of each provider at each location', key: 'provider + location key', partitions: 6, cleanupPolicy: 'compact' },
  // Internal topics of the scorer (processors/scorer). Changelogs need at least
  // as many partitions as the topic whose state they hold (partition p of the
  // changelog holds the state of input partition p).
  { name: 'scorer.partials.v1', description: 'scorer: per-source-partition windows of each provider and location (repartition topic)', key: 'provider + location key', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'scorer.windows-changelog.v1', description: 'scorer: changelog of the windows state (per ingest.measurements.v1 partition)', key: 'state store key', partitions: 6, cleanupPolicy: 'compact' },
  { name: 'scorer.merge-changelog.v1', description: 'scorer: changelog of the merge state (per scorer.partials.v1 partition)', key: 'state store key', partitions: 6, cleanupPolicy: 'compact' },
  { name: 'decisions.dns.v1', description: 'one record per DNS decision', key: 'app id', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY },
  { name: 'decisions.http.v1', description: 'one record per HTTP decision', key: 'app id', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY },
  { name: 'models.sites.v1', description: 'composite analytics model deltas', key: 'site id', partitions: 3, cleanupPolicy: 'compact' },
  { name: 'locate.queries.v1', description: 'locate queries and answers, for learning', key: 'none (empty)', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY },
  { name: 'deadletter.v1', description: 'records that failed validation, with original bytes and reason', key: 'source topic', partitions: 3, cleanupPolicy: 'delete', retentionMs: 30 * DAY },
];

export function topicDefinition(name: string): TopicDefinition | undefined {
  return catalog.find((t) => t.name === name);
}
