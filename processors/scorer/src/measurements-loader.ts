import { defineProcessor } from '@vane/runtime';
import { scorerOptions } from './options';
import { clickhouseTables } from './tables';
import { measurementRow } from './windows-processor';

/**
 * `measurements-loader`: loads ingest.measurements.v1 as received into
 * ClickHouse `measurements`, in its own consumer group, so that analytics
 * inserts never delay scoring. Which of them the scorer dropped as late is
 * in `measurements_late` (written by scorer-windows).
 */
export const measurementsLoader = defineProcessor({
  name: 'measurements-loader',
  description: 'loads ingest.measurements.v1 into the ClickHouse table measurements',
  input: 'ingest.measurements.v1',
  outputs: [{ kind: 'clickhouse', table: 'measurements' }],
  options: scorerOptions,
  clickhouseTables: clickhouseTables.filter((t) => t.table === 'measurements'),
  process: (m, ctx) => ({ kind: 'clickhouse', table: 'measurements', row: measurementRow(m, ctx.record) }),
});
