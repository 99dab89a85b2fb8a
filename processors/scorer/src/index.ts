/** @vane/scorer: the scorer's processors (processor.ts), its pipeline and its replay declaration. */
export * from './processor';
export { ScorerPipeline } from './pipeline';
export { scorerReplay, scorerTopics } from './replay-spec';
