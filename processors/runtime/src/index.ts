export * from './manifest';
export { ProcessorRuntime, type RuntimeOptions } from './runtime';
export { RuntimeMetrics } from './metrics';
export { ScyllaSink, createScyllaClient, writeTimeOf } from './sinks/scylla';
export { ClickhouseSink, createClickhouseClient } from './sinks/clickhouse';
export { runProcessor, runtimeOptionsFromEnv } from './main-helper';
