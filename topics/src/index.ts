export * from './catalog';
export * from './naming';
export * from './apply';
export { createKafka } from './kafka';
