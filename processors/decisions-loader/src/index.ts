/** @vane/decisions-loader: the DNS and HTTP decision loaders, their table and their replay declaration. */
export * from './processor';
export { DECISIONS_TABLE, decisionsTable } from './decisions-table';
export { decisionsLoaderReplay, decisionsLoaderTopics } from './replay-spec';
