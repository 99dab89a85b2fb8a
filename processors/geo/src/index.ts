/** @vane/geo: Glow's pure domain (no I/O, no clock). See README.md. */
export * from './buckets';
export * from './tables';
export { geoProcessor, type GeoOptions } from './processor';
