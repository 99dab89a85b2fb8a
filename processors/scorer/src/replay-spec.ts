import type { ReplaySpec, VersionedTopics } from '@vane/runtime';
import { scorerOptionsFromEnv } from './options';
import { ScorerPipeline } from './pipeline';
import { scorerPipeline } from './processor';
import { clickhouseTables, scyllaTables } from './tables';
import { clickhouseHistoryDigest, clickhouseLateDigest, clickhouseMeasurementsDigest, scyllaScoresDigest } from './verify';

/**
 * Topics a scorer version owns besides its shared input
 * (ingest.measurements.v1): its partials and changelogs, and scores.v1,
 * which the serving version writes under the plain name resolvers follow.
 * Every table of the scorer is versioned.
 */
export const scorerTopics: VersionedTopics = {
  versioned: ['scorer.partials.v1', 'scorer.windows-changelog.v1', 'scorer.merge-changelog.v1', 'scores.v1'],
  served: ['scores.v1'],
};

/** `vane replay scorer`: promote republishes the version's scores to scores.v1. */
export const scorerReplay: ReplaySpec = {
  model: 'scorer',
  description: 'scores.v1 and Scylla scores; ClickHouse measurements, measurements_late, scores_history',
  processors: scorerPipeline,
  topics: scorerTopics,
  scyllaTables,
  clickhouseTables,
  verify: [
    { table: 'scores', digest: (s, table) => scyllaScoresDigest(s.cql, s.keyspace, table) },
    { table: 'measurements', digest: (s, table) => clickhouseMeasurementsDigest(s.ch, s.database, table) },
    { table: 'measurements_late', digest: (s, table) => clickhouseLateDigest(s.ch, s.database, table) },
    { table: 'scores_history', digest: (s, table) => clickhouseHistoryDigest(s.ch, s.database, table) },
  ],
  optionsFromEnv: scorerOptionsFromEnv,
  pipeline: (base, version) => new ScorerPipeline(base, version),
};
