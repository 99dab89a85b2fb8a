/** @vane/deadletters: the dead-letter loader, its table and its replay declaration. */
export * from './processor';
export { DEADLETTERS_TABLE, deadlettersTable } from './deadletters-table';
export { deadlettersReplay, deadlettersTopics } from './replay-spec';
