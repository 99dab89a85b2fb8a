import { defineProcessor } from '@vane/runtime';
import { DEADLETTERS_TABLE, deadlettersTable } from './deadletters-table';
import { deadlettersOptions } from './options';

/** ClickHouse DateTime literal (UTC) of an epoch-ms instant: accepted by every release from 18.16 on. */
export function clickhouseDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Loads deadletter.v1 into ClickHouse so operators can query what failed and
 * why. Idempotent: rows are keyed by the dead-lettered record's origin
 * (source topic, partition, offset, processor) in a ReplacingMergeTree.
 */
export const deadlettersProcessor = defineProcessor({
  name: 'deadletters',
  description: 'loads deadletter.v1 into the ClickHouse table deadletters',
  input: 'deadletter.v1',
  outputs: [{ kind: 'clickhouse', table: DEADLETTERS_TABLE }],
  options: deadlettersOptions,
  clickhouseTables: [deadlettersTable],
  process(letter) {
    return {
      kind: 'clickhouse',
      table: DEADLETTERS_TABLE,
      row: {
        source_topic: letter.sourceTopic,
        source_partition: letter.partition,
        source_offset: letter.offset,
        processor: letter.processor,
        reason_code: letter.reasonCode,
        message: letter.message,
        at: clickhouseDateTime(letter.at),
        source_time: clickhouseDateTime(letter.sourceTimestamp ?? letter.at),
        key_base64: letter.key ? letter.key.toString('base64') : '',
        value_base64: letter.value.toString('base64'),
        value_bytes: letter.value.length,
      },
    };
  },
});
