import { readFileSync } from 'node:fs';
import { ConfigState } from '@vane/config-model';
import { scriptPath } from '../../src/routes/script';
import { KEY, testApp } from '../support/harness';

describe('/healthz, /metrics, /vane.js', () => {
  it('reports health, Prometheus metrics and serves the browser script', async () => {
    const t = await testApp();
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', config: { sites: 2, keys: 5, providers: 2 }, sink: { mode: 'direct' } });
    await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: { type: 'pageview', url: 'https://example.com/' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/beacon', payload: { type: 'pageview', url: 'https://example.com/' } });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('vane_ingest_requests_total{route="beacon_post",status="204"} 1');
    expect(metrics.body).toContain('vane_ingest_records_total{topic="ingest.beacons.v1",delivery="kafka"} 1');
    expect(metrics.body).toContain('vane_ingest_rejections_total{code="VANE_ERR_KEY_MISSING"} 1');
    expect(metrics.body).toContain('vane_ingest_sink_spooling 0');
    expect(metrics.body).toContain('vane_ingest_config_entities{type="keys"} 5');
    const script = await t.app.inject({ method: 'GET', url: '/vane.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('application/javascript');
    expect(script.body).toBe(readFileSync(scriptPath, 'utf8'));
    const missing = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'VANE_ERR_NOT_FOUND' });
    await t.app.close();
    const starting = await testApp({ config: { state: new ConfigState(), ready: false } });
    const res = await starting.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'starting' });
    await starting.app.close();
  });
});
