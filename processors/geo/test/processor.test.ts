import { InvalidRecord, noState, type ClickhouseOutput, type ProcessContext } from '@vane/runtime';
import type { Download } from '@vane/schemas';
import { geoProcessor, type GeoOptions } from '../src';

const T0 = Date.UTC(2026, 4, 12, 10, 0, 0);
const record = { topic: 'ingest.downloads.v1', partition: 2, offset: '41', key: 'site-1', timestamp: T0 };
const ctx: ProcessContext<GeoOptions> = { now: T0, options: {}, record, log: { info: () => undefined, warn: () => undefined }, state: noState() };

function download(over: Partial<Download> = {}): Download {
  return {
    eventId: '00000000-0000-4000-8000-000000000001',
    receivedAt: T0,
    eventTime: T0,
    type: 'download',
    product: 'firefox',
    version: '128.0',
    siteId: 'site-1',
    network: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: null, asnOrg: null },
    ...over,
  };
}

describe('geo processor', () => {
  it('turns a download into one downloads row keyed by its source offset', () => {
    const out = geoProcessor.process(download(), ctx) as ClickhouseOutput;
    expect(out.table).toBe('downloads');
    expect(out.row).toEqual({
      site_id: 'site-1',
      timestamp: T0 / 1000,
      event_ms: T0,
      event_id: '00000000-0000-4000-8000-000000000001',
      type: 'download',
      product: 'firefox',
      continent: 'EU',
      country: 'DE',
      region: 'DE-BE',
      source_topic: 'ingest.downloads.v1',
      source_partition: 2,
      source_offset: '41',
    });
  });

  it('dead-letters an invalid record', () => {
    expect(() => geoProcessor.process(download({ siteId: '' }), ctx)).toThrow(InvalidRecord);
  });

  it('declares only the downloads table', () => {
    expect(geoProcessor.clickhouseTables?.map((t) => t.table)).toEqual(['downloads']);
  });
});
