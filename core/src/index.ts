export * from './errors';
export * from './env';
export * from './connections';
export { quietKafkajsTimers } from './kafkajs-timers';
