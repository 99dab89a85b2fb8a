export * from './manifest';
export { ProcessorRuntime, type RuntimeOptions } from './runtime';
export { defineState, noState, PartitionStore, type KeyValueStore, type StateDeclaration } from './state';
export { readChangelog } from './state-restore';
export { RuntimeMetrics } from './metrics';
export { ScyllaSink, createScyllaClient, writeTimeOf } from './sinks/scylla';
export { ClickhouseSink, createClickhouseClient } from './sinks/clickhouse';
export { runProcessor, runtimeOptionsFromEnv, statusIntervalFromEnv } from './main-helper';
