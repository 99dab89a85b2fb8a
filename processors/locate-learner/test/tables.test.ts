import { clickhouseTables, scyllaTables, STATION_TABLES, fromStationRow, toStationRow, updateStation } from '../src';
import { NOW, obs } from './support';

describe('tables', () => {
  it('has one Scylla table per station kind, keyed by the station key', () => {
    expect(scyllaTables.map((t) => t.table).sort()).toEqual(Object.values(STATION_TABLES).sort());
    for (const t of scyllaTables) {
      expect(t.ddl[0]).toMatch(/^CREATE TABLE IF NOT EXISTS \{keyspace\}\.\{table\}/);
      expect(t.ddl[0]).toContain('key text PRIMARY KEY');
    }
  });

  it('writes ClickHouse DDL that ClickHouse 18.16 accepts', () => {
    for (const t of clickhouseTables) {
      const ddl = t.ddl.join('\n');
      expect(ddl).toMatch(/^CREATE TABLE IF NOT EXISTS \{database\}\.\{table\}/);
      expect(ddl).toContain('ReplacingMergeTree');
      expect(ddl).not.toMatch(/DateTime64|Map\(|LowCardinality|\bTTL\b|CODEC/);
      const orderBy = /ORDER BY \(([^)]*)\)/.exec(ddl)![1]!.split(',').map((c) => c.trim());
      for (const column of orderBy) expect(ddl).not.toMatch(new RegExp(`\\b${column} Nullable`));
    }
  });

  it('round-trips a station record through its row', () => {
    const { station } = updateStation('wifi', 'aabbccddeeff', null, [obs({ kind: 'wifi', key: 'aabbccddeeff', lat: 48.1, lon: 11.5 })], NOW);
    expect(fromStationRow('wifi', toStationRow(station!))).toEqual(station);
  });
});
