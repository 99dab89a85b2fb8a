import { VaneError } from '@vane/core';
import { InvalidRecord, defineProcessor } from '@vane/runtime';
import { geoEventOf } from './buckets';
import { clickhouseTables, downloadRow, geoTableNames } from './tables';

export type GeoOptions = Record<string, never>;

function geoOptions(raw: Record<string, unknown>): GeoOptions {
  const unknown = Object.keys(raw);
  if (unknown.length > 0) throw new VaneError('VANE_ERR_CONFIG', `geo takes no options (got ${unknown.join(', ')})`);
  return {};
}

/**
 * First step of Glow's wiring: every counted download/share of
 * ingest.downloads.v1 becomes one ClickHouse `downloads` row (keyed by its
 * source offset, so a replayed record collapses). Invalid records go to the
 * dead-letter topic. The per-minute `geo_minutes` buckets (stateful, need a
 * changelog topic) are not wired yet.
 */
export const geoProcessor = defineProcessor({
  name: 'geo',
  description: 'ingest.downloads.v1 into the ClickHouse table downloads',
  input: 'ingest.downloads.v1',
  outputs: [{ kind: 'clickhouse', table: geoTableNames.downloads }],
  options: geoOptions,
  clickhouseTables: clickhouseTables.filter((t) => t.table === geoTableNames.downloads),
  process(record, ctx) {
    const c = geoEventOf(record);
    if (!c.ok) throw new InvalidRecord(`${c.drop.reason}: ${c.drop.detail}`);
    return { kind: 'clickhouse', table: geoTableNames.downloads, row: downloadRow(c.event, ctx.record) };
  },
});
