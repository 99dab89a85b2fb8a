/**
 * @vane/locate-learner: the pure domain logic of the location learner (no
 * I/O, no clock: times are arguments). See README.md for the module APIs.
 */
export * from './errors';
export * from './observation';
export * from './observation-weight';
export * from './station-update';
export * from './cell-area';
export * from './rate-controller';
export * from './tables';
export * from './station-rows';
