import { KEY, SITE_ID, testApp } from '../support/harness';

describe('POST /api/v1/events', () => {
  it('writes download and share events keyed by type, located from the truncated address', async () => {
    const t = await testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/events?key=${KEY}`,
      remoteAddress: '203.0.113.1',
      payload: { events: [{ type: 'download', product: 'firefox', version: '128.0.3', eventTime: 1_700_000_000_000 }, { type: 'share', product: 'firefox' }] },
    });
    expect(res.statusCode).toBe(204);
    const events = t.produced('ingest.downloads.v1');
    expect(events.map((e) => e.key)).toEqual(['download', 'share']);
    expect(events[0]!.value).toMatchObject({ type: 'download', product: 'firefox', version: '128.0.3', eventTime: 1_700_000_000_000, siteId: SITE_ID, network: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU' } });
    expect(events[1]!.value).toMatchObject({ type: 'share', version: null });
    await t.app.close();
  });

  it.each([
    [{ type: 'install', product: 'firefox' }, 'body.events.0.type'],
    [{ type: 'download' }, 'body.events.0.product'],
    [{ type: 'download', product: 'fire fox' }, 'body.events.0.product'],
    [{ type: 'download', product: 'firefox', eventTime: -1 }, 'body.events.0.eventTime'],
  ])('refuses %j naming %s', async (event, field) => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/events?key=${KEY}`, payload: event });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field });
    await t.app.close();
  });
});
