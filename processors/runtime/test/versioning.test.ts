import { isVaneError } from '@vane/core';
import { ORIGINAL_VERSION, checkLabel, versionNaming, versionedRuntimeOptions, type RuntimeOptions, type VersionedTopics } from '../src';

const naming = { prefix: 'p.' };
const topics: VersionedTopics = { versioned: ['scorer.partials.v1', 'scores.v1'], served: ['scores.v1'] };

describe('model version naming', () => {
  it('names the original version plainly', () => {
    const v = versionNaming(ORIGINAL_VERSION, naming, ORIGINAL_VERSION, topics);
    expect(v.serving).toBe(true);
    expect([v.groupId('scorer'), v.topicName('scorer.partials.v1'), v.topicName('scores.v1'), v.topicName('ingest.measurements.v1'), v.tableName('scores')]).toEqual([
      'p.vane.scorer', 'p.scorer.partials.v1', 'p.scores.v1', 'p.ingest.measurements.v1', 'scores',
    ]);
  });

  it('gives another version its own groups, versioned topics and tables, and shares every other topic', () => {
    const v = versionNaming('v2', naming, ORIGINAL_VERSION, topics);
    expect(v.serving).toBe(false);
    expect([v.groupId('scorer'), v.topicName('scorer.partials.v1'), v.topicName('scores.v1'), v.topicName('ingest.measurements.v1'), v.topicName('deadletter.v1'), v.tableName('scores')]).toEqual([
      'p.vane.scorer.v2', 'p.v2.scorer.partials.v1', 'p.v2.scores.v1', 'p.ingest.measurements.v1', 'p.deadletter.v1', 'scores_v2',
    ]);
  });

  it('lets the serving version write its served topics under their plain name', () => {
    const v = versionNaming('v2', naming, 'v2', topics);
    expect(v.serving).toBe(true);
    expect([v.topicName('scores.v1'), v.topicName('scorer.partials.v1'), v.tableName('scores')]).toEqual(['p.scores.v1', 'p.v2.scorer.partials.v1', 'scores_v2']);
  });

  it('versions nothing but groups and tables of a model without topics', () => {
    const v = versionNaming('v3', naming, ORIGINAL_VERSION, { versioned: [] });
    expect([v.groupId('decisions-dns-loader'), v.topicName('decisions.dns.v1'), v.tableName('decisions')]).toEqual(['p.vane.decisions-dns-loader.v3', 'p.decisions.dns.v1', 'decisions_v3']);
  });

  it.each(['V2', 'latest', 'v', 'v2.1', `v${'1'.repeat(16)}`])('refuses the label %s with VANE_ERR_USAGE', (label) => {
    let error: unknown;
    try {
      checkLabel(label);
    } catch (e) {
      error = e;
    }
    expect(isVaneError(error) && error.code).toBe('VANE_ERR_USAGE');
  });

  it('maps runtime options of one processor to its version', () => {
    const base = { connections: {}, naming, groupId: 'custom' } as unknown as RuntimeOptions;
    expect(versionedRuntimeOptions(base, 'scorer')).toBe(base);
    const options = versionedRuntimeOptions(base, 'scorer', versionNaming('v2', naming, ORIGINAL_VERSION, topics));
    expect([options.groupId, options.topicName?.('scores.v1'), options.tableName?.('scores')]).toEqual(['p.vane.scorer.v2', 'p.v2.scores.v1', 'scores_v2']);
  });
});
