export { createScoreClient, ScoreClient, type ScoreClientOptions, type ScoreClientEvents } from './score-client';
export { bestMatch, locationKeysOf, type BestMatchOptions, type ClientLocation } from './best-match';
export { SseParser, type SseEvent } from './sse-parser';
