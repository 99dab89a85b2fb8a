/**
 * @vane/analytics: the pure domain of the analytics processor (no I/O, no
 * clock). See README.md for the module API and the rules.
 */
export * from './unified-event';
export * from './drops';
export * from './site-rules';
export * from './query-allow-list';
export * from './referrer';
export * from './bot-filter';
export * from './from-beacon';
export * from './from-server-log';
export * from './sessionizer';
export * from './distinct-sketch';
export * from './quantile-sketch';
export * from './site-model';
export * from './tables';
