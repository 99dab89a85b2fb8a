export { createScoreClient, ScoreClient, type ScoreClientOptions, type ScoreClientEvents } from './score-client';
export { bestMatch, type ScoreLookup } from './best-match';
export { startScoreClient } from './start-score-client';
export { SseParser, type SseEvent } from './sse-parser';
