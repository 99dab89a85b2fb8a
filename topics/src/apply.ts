import { ConfigResourceTypes, type Admin, type ITopicConfig } from 'kafkajs';
import { catalog, type TopicDefinition } from './catalog';
import { physicalTopic, type TopicNaming } from './naming';

/** Topic-level configs Vane owns; anything else on a topic is left as it is. */
export function desiredConfigs(def: TopicDefinition, replicationFactor: number): Record<string, string> {
  const configs: Record<string, string> = {
    'cleanup.policy': def.cleanupPolicy,
    'min.insync.replicas': replicationFactor >= 3 ? '2' : '1',
  };
  if (def.cleanupPolicy === 'delete' && def.retentionMs !== undefined) configs['retention.ms'] = String(def.retentionMs);
  return configs;
}

export interface ApplyOptions {
  naming: TopicNaming;
  /** Replication factor for new topics; default min(3, number of brokers). */
  replicationFactor?: number;
  /** Only these logical topics (default: the whole catalogue). */
  only?: readonly string[];
  /** Report what would change without changing it. */
  dryRun?: boolean;
}

export interface ConfigChange {
  topic: string;
  key: string;
  from: string | null;
  to: string;
}

export interface ApplyReport {
  created: string[];
  unchanged: string[];
  configsFixed: ConfigChange[];
  partitionsAdded: { topic: string; from: number; to: number }[];
  /** What apply cannot change by itself (partition decrease, replication change). */
  problems: string[];
}

/**
 * Waits until every partition of the new topics has a leader. kafkajs's own
 * `waitForLeaders` gives up on the first UNKNOWN_TOPIC_OR_PARTITION that a
 * KRaft broker answers while its metadata catches up; this retries it.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * Reconciles the catalogue with a cluster: creates missing topics, fixes
 * drifted configs, adds partitions, and reports (never performs) what Kafka
 * cannot do in place: decreasing partitions or changing replication.
 */
export async function applyTopics(admin: Admin, options: ApplyOptions): Promise<ApplyReport> {
  const defs = options.only ? catalog.filter((d) => options.only!.includes(d.name)) : [...catalog];
  const cluster = await admin.describeCluster();
  const replicationFactor = options.replicationFactor ?? Math.min(3, cluster.brokers.length);
  const report: ApplyReport = { created: [], unchanged: [], configsFixed: [], partitionsAdded: [], problems: [] };
  const existing = new Set(await admin.listTopics());

  const missing = defs.filter((d) => !existing.has(physicalTopic(d.name, options.naming)));
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((d) => ({
      topic: physicalTopic(d.name, options.naming),
      numPartitions: d.partitions,
      replicationFactor,
      configEntries: Object.entries(desiredConfigs(d, replicationFactor)).map(([name, value]) => ({ name, value })),
    }));
    if (!options.dryRun) {
      await admin.createTopics({ topics, waitForLeaders: false });
      await waitForLeaders(admin, topics.map((t) => t.topic));
    }
    report.created.push(...topics.map((t) => t.topic));
  }

  const present = defs.filter((d) => existing.has(physicalTopic(d.name, options.naming)));
  if (present.length === 0) return report;
  const names = present.map((d) => physicalTopic(d.name, options.naming));
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });

  for (const def of present) {
    const topic = physicalTopic(def.name, options.naming);
    const meta = metadata.topics.find((t) => t.name === topic);
    const partitions = meta?.partitions.length ?? 0;
    const replicas = meta?.partitions[0]?.replicas.length ?? 0;
    let changed = false;
    if (partitions < def.partitions) {
      if (!options.dryRun) await admin.createPartitions({ topicPartitions: [{ topic, count: def.partitions }] });
      report.partitionsAdded.push({ topic, from: partitions, to: def.partitions });
      changed = true;
    } else if (partitions > def.partitions) {
      report.problems.push(
        `${topic}: has ${partitions} partitions, the catalogue says ${def.partitions}; Kafka cannot decrease partitions (recreate the topic to shrink it)`,
      );
    }
    if (replicas !== 0 && replicas !== replicationFactor) {
      report.problems.push(
        `${topic}: replication factor is ${replicas}, wanted ${replicationFactor}; change it with a partition reassignment`,
      );
    }
    const resource = described.resources.find((r) => r.resourceName === topic);
    const current = new Map((resource?.configEntries ?? []).map((e) => [e.configName, { value: e.configValue, isDefault: e.isDefault }]));
    const wanted = desiredConfigs(def, replicas || replicationFactor);
    const drift = Object.entries(wanted).filter(([key, value]) => current.get(key)?.value !== value);
    if (drift.length > 0) {
      // alterConfigs replaces a topic's whole set of overrides: send every
      // override the topic has now, with ours corrected.
      const merged = new Map<string, string>();
      for (const [key, entry] of current) if (!entry.isDefault && entry.value !== null) merged.set(key, entry.value);
      for (const [key, value] of Object.entries(wanted)) merged.set(key, value);
      if (!options.dryRun) {
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            { type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [...merged].map(([name, value]) => ({ name, value })) },
          ],
        });
      }
      for (const [key, to] of drift) report.configsFixed.push({ topic, key, from: current.get(key)?.value ?? null, to });
      changed = true;
    }
    if (!changed) report.unchanged.push(topic);
  }
  return report;
}
