/**
 * The measurement scorer: processors run together by `vane run scorer`
 * (main.ts). Stage 1 (`scorer-windows`) folds ingest.measurements.v1 into
 * per-partition windows; stage 2 (`scorer`) merges every partition's windows
 * of a provider and location into its score (scores.v1, Scylla). Both keep
 * their state in changelog topics and commit it with their outputs and
 * offsets in one Kafka transaction per unit of work. Two loaders, off the
 * serving path, fill ClickHouse: `scores-history` (scores.v1 →
 * scores_history) and `measurements-loader` (raw measurements).
 */
export { windowsProcessor, foldMeasurement, validateMeasurement, effectiveEventTime, PARTITION_KEY, type WindowsState } from './windows-processor';
export { scoresProcessor, evaluate, mergePartial, toScore, sourceKey } from './scores-processor';
export { historyLoader } from './history-loader';
export { measurementsLoader } from './measurements-loader';
export { scorerOptions, scorerOptionsFromEnv, scorerDefaults, type ScorerOptions } from './options';
export { computeScore, type ComputedScore } from './score-formula';
export { scyllaTables, clickhouseTables } from './tables';

import { historyLoader } from './history-loader';
import { measurementsLoader } from './measurements-loader';
import { scoresProcessor } from './scores-processor';
import { windowsProcessor } from './windows-processor';

/** The scorer's processors in pipeline order. */
export const scorerPipeline = [windowsProcessor, scoresProcessor, historyLoader, measurementsLoader] as const;
