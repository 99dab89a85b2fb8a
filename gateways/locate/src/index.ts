/**
 * @vane/locate: the pure domain logic of the location service (no I/O, no
 * clock: times are arguments). See README.md for the module APIs.
 */
export * from './errors';
export * from './decode-body';
export * from './field-limits';
export * from './mac-address';
export * from './geo-distance';
export * from './mobile-codes';
export * from './wifi-entry';
export * from './cell-entry';
export * from './bluetooth-entry';
export * from './geolocate-request';
export * from './country-request';
export * from './geosubmit-request';
export * from './submit-request';
export * from './ichnaea-errors';
export * from './responses';
export * from './query-record';
export * from './station-keys';
export * from './station-record';
export * from './providers/results';
export * from './providers/station-score';
export * from './providers/aggregate';
export * from './providers/station-clusters';
export * from './providers/geoip-provider';
export * from './providers/internal-provider';
export * from './providers/position-search';
export * from './providers/region';
