import { ConfigResourceTypes } from 'kafkajs';
import { applyTopics, catalog, physicalTopic } from '../src';
import { createNamespace, eventually, type TestNamespace } from '@vane/test-support/fixtures';

describe('applyTopics against the local Kafka', () => {
  let ns: TestNamespace;

  beforeAll(async () => {
    ns = await createNamespace({ topics: false, schemas: false });
  });
  afterAll(async () => {
    await ns.cleanup();
  });

  it('creates every topic of the catalogue with its partitions and configs, then finds nothing to do', async () => {
    const first = await applyTopics(ns.admin, { naming: ns.naming });
    expect(first.created.sort()).toEqual(catalog.map((d) => physicalTopic(d.name, ns.naming)).sort());
    expect(first.problems).toEqual([]);

    const meta = await ns.admin.fetchTopicMetadata({ topics: [physicalTopic('ingest.beacons.v1', ns.naming)] });
    expect(meta.topics[0]!.partitions).toHaveLength(6);
    const configs = await ns.admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: physicalTopic('scores.v1', ns.naming) },
        { type: ConfigResourceTypes.TOPIC, name: physicalTopic('deadletter.v1', ns.naming) },
      ],
    });
    const value = (topic: string, key: string): string | undefined =>
      configs.resources.find((r) => r.resourceName === physicalTopic(topic, ns.naming))?.configEntries.find((e) => e.configName === key)?.configValue;
    expect(value('scores.v1', 'cleanup.policy')).toBe('compact');
    expect(value('deadletter.v1', 'cleanup.policy')).toBe('delete');
    expect(value('deadletter.v1', 'retention.ms')).toBe(String(30 * 24 * 3600 * 1000));

    const second = await applyTopics(ns.admin, { naming: ns.naming });
    expect(second.created).toEqual([]);
    expect(second.configsFixed).toEqual([]);
    expect(second.unchanged).toHaveLength(catalog.length);
  });

  it('fixes drifted configs and keeps overrides it does not own', async () => {
    const topic = physicalTopic('ingest.downloads.v1', ns.naming);
    await ns.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '1000' },
            { name: 'min.insync.replicas', value: '1' },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
      ],
    });
    // The broker applies config changes from its metadata log a moment later.
    await eventually('the drifted retention.ms to be visible', async () => {
      const d = await ns.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      return d.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue === '1000' ? true : undefined;
    });
    const dry = await applyTopics(ns.admin, { naming: ns.naming, only: ['ingest.downloads.v1'], dryRun: true });
    expect(dry.configsFixed).toEqual([{ topic, key: 'retention.ms', from: '1000', to: String(7 * 24 * 3600 * 1000) }]);

    const report = await applyTopics(ns.admin, { naming: ns.naming, only: ['ingest.downloads.v1'] });
    expect(report.configsFixed).toEqual(dry.configsFixed);
    const after = await ns.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    const entries = new Map(after.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries.get('retention.ms')).toBe(String(7 * 24 * 3600 * 1000));
    expect(entries.get('max.message.bytes')).toBe('2000000');
  });

  it('adds missing partitions and reports a partition count it cannot decrease', async () => {
    const other = await createNamespace({ topics: false, schemas: false });
    try {
      await other.admin.createTopics({
        waitForLeaders: false,
        topics: [
          { topic: physicalTopic('ingest.measurements.v1', other.naming), numPartitions: 2 },
          { topic: physicalTopic('config.changes.v1', other.naming), numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        ],
      });
      const created = [physicalTopic('ingest.measurements.v1', other.naming), physicalTopic('config.changes.v1', other.naming)];
      await eventually('leaders for the hand-made topics', async () => {
        const meta = await other.admin.fetchTopicMetadata({ topics: created });
        return meta.topics.every((t) => t.partitions.every((p) => p.leader >= 0)) ? true : undefined;
      });
      const report = await applyTopics(other.admin, { naming: other.naming, only: ['ingest.measurements.v1', 'config.changes.v1'] });
      expect(report.partitionsAdded).toEqual([{ topic: physicalTopic('ingest.measurements.v1', other.naming), from: 2, to: 6 }]);
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toContain('cannot decrease partitions');
      const meta = await other.admin.fetchTopicMetadata({ topics: [physicalTopic('ingest.measurements.v1', other.naming)] });
      expect(meta.topics[0]!.partitions).toHaveLength(6);
    } finally {
      await other.cleanup();
    }
  });
});
