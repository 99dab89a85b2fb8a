/** @vane/realtime (domain modules): Stats API query/SQL/response, websocket protocol, fan-out. See README.md. */
export * from './stats-query';
export * from './ws-protocol';
export * from './fan-out';
