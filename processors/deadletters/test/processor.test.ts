import { noState, type ClickhouseOutput, type ProcessContext } from '@vane/runtime';
import type { DeadLetter } from '@vane/schemas';
import { deadlettersOptions, type DeadlettersOptions } from '../src/options';
import { clickhouseDateTime, deadlettersProcessor } from '../src/processor';

const at = Date.UTC(2026, 10, 22, 18, 30, 15, 250);
const record = { topic: 'deadletter.v1', partition: 1, offset: '7', key: 'ingest.measurements.v1', timestamp: at };
const ctx: ProcessContext<DeadlettersOptions> = { now: at, options: {}, record, log: { info: () => undefined, warn: () => undefined }, state: noState() };

const letter: DeadLetter = {
  sourceTopic: 'ingest.measurements.v1',
  partition: 4,
  offset: 1234,
  sourceTimestamp: at - 61_000,
  key: Buffer.from('DE'),
  value: Buffer.from([0, 0, 0, 0, 9, 1, 2, 3]),
  headers: { origin: 'rum' },
  reasonCode: 'VANE_ERR_VALIDATION',
  message: 'value must be finite',
  processor: 'vane.scorer-windows',
  at,
};

function rowOf(l: DeadLetter): Record<string, unknown> {
  const output = deadlettersProcessor.process(l, ctx) as ClickhouseOutput;
  expect(output).toMatchObject({ kind: 'clickhouse', table: 'deadletters' });
  return output.row;
}

describe('dead-letter rows for ClickHouse', () => {
  it('maps a dead letter to one row: its origin, reason, times to the second, and the original bytes in base64', () => {
    expect(rowOf(letter)).toEqual({
      source_topic: 'ingest.measurements.v1',
      source_partition: 4,
      source_offset: 1234,
      processor: 'vane.scorer-windows',
      reason_code: 'VANE_ERR_VALIDATION',
      message: 'value must be finite',
      at: '2026-11-22 18:30:15',
      source_time: '2026-11-22 18:29:14',
      key_base64: 'REU=',
      value_base64: 'AAAAAAkBAgM=',
      value_bytes: 8,
    });
  });

  it('writes a missing key as an empty string, a tombstone as no bytes, and a missing source time as the dead-letter time', () => {
    expect(rowOf({ ...letter, key: null, value: Buffer.alloc(0), sourceTimestamp: null })).toMatchObject({ key_base64: '', value_base64: '', value_bytes: 0, source_time: '2026-11-22 18:30:15' });
  });

  it('declares its one effect, the deadletters table, and reads deadletter.v1', () => {
    expect(deadlettersProcessor.input).toBe('deadletter.v1');
    expect(deadlettersProcessor.outputs).toEqual([{ kind: 'clickhouse', table: 'deadletters' }]);
    expect(deadlettersProcessor.clickhouseTables?.map((t) => t.table)).toEqual(['deadletters']);
  });

  it('takes no options', () => {
    expect(deadlettersOptions({})).toEqual({});
    expect(() => deadlettersOptions({ batch: 10 })).toThrow(/takes no options \(got batch\)/);
  });

  it('formats ClickHouse DateTime literals in UTC', () => {
    expect(clickhouseDateTime(Date.UTC(2025, 0, 2, 3, 4, 5, 999))).toBe('2025-01-02 03:04:05');
  });
});
