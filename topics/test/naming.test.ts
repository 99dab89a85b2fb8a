import { desiredConfigs, catalog, logicalTopic, namingFromEnv, physicalTopic, valueSubjectOf } from '../src';

describe('topic naming', () => {
  it('prefixes physical names and subjects', () => {
    const naming = namingFromEnv({ VANE_TOPIC_PREFIX: 'test-1.' });
    expect(physicalTopic('scores.v1', naming)).toBe('test-1.scores.v1');
    expect(logicalTopic('test-1.scores.v1', naming)).toBe('scores.v1');
    expect(valueSubjectOf('scores.v1', naming)).toBe('test-1.scores.v1-value');
    expect(physicalTopic('scores.v1', namingFromEnv({}))).toBe('scores.v1');
  });

  it('refuses a prefix Kafka would not accept', () => {
    expect(() => namingFromEnv({ VANE_TOPIC_PREFIX: 'bad prefix/' })).toThrow('VANE_TOPIC_PREFIX');
  });
});

describe('catalogue', () => {
  it('has the design topics with their cleanup policies', () => {
    const byName = new Map(catalog.map((d) => [d.name, d]));
    expect(byName.get('config.changes.v1')?.cleanupPolicy).toBe('compact');
    expect(byName.get('scores.v1')?.cleanupPolicy).toBe('compact');
    expect(byName.get('models.sites.v1')?.cleanupPolicy).toBe('compact');
    expect(byName.get('decisions.dns.v1')?.retentionMs).toBe(30 * 24 * 3600 * 1000);
    expect(byName.get('scorer.windows-changelog.v1')?.cleanupPolicy).toBe('compact');
    expect(byName.get('scorer.merge-changelog.v1')?.cleanupPolicy).toBe('compact');
    expect(byName.get('scorer.partials.v1')?.partitions).toBe(byName.get('scorer.merge-changelog.v1')?.partitions);
    expect(byName.get('ingest.measurements.v1')?.partitions).toBe(byName.get('scorer.windows-changelog.v1')?.partitions);
    expect(catalog).toHaveLength(15);
  });

  it('asks for min.insync.replicas 2 only where there are three replicas', () => {
    const beacons = catalog.find((d) => d.name === 'ingest.beacons.v1')!;
    expect(desiredConfigs(beacons, 1)['min.insync.replicas']).toBe('1');
    expect(desiredConfigs(beacons, 3)['min.insync.replicas']).toBe('2');
    expect(desiredConfigs(catalog.find((d) => d.name === 'scores.v1')!, 3)['retention.ms']).toBeUndefined();
  });
});
