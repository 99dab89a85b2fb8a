import { AppHost, MemoryDecisionSink, MemoryScores } from '@vane/apps';
import { build as buildConfig, MemoryConfigStore } from '@vane/config';
import { ConfigState } from '@vane/config-model';
import { errorCodes, httpStatusOf, VaneError, type VaneErrorCode } from '@vane/core';
import { answersVaneErrors } from '@vane/core/http';
import { build as buildDecide } from '@vane/decide';
import { build as buildIngest, RecordEncoder, type RecordSink } from '@vane/ingest';
import { openGeo } from '@vane/network';
import { build as buildSnapshots, ScoreTable } from '@vane/snapshots';

/**
 * One table, every gateway: each HTTP gateway, built as it runs (its own
 * build()), answers every error code with the status of the table in
 * @vane/core, through the same plugin, and Fastify's own refusals likewise.
 */
type Gateway = Awaited<ReturnType<typeof buildConfig>>;

const codes = Object.keys(errorCodes) as VaneErrorCode[];

const nullSink: RecordSink = {
  accept: async () => 'kafka',
  stats: () => ({ mode: 'direct', sentDirect: 0, spooled: 0, drained: 0, refusedFull: 0, sendFailures: 0, directSends: 0, directSendMs: 0, spoolBytes: 0, spoolMaxBytes: 1, queued: 0 }),
  close: async () => undefined,
};

const hosts: AppHost[] = [];

const gateways: Record<string, () => Promise<Gateway>> = {
  ingest: () => buildIngest({ settings: { secret: 'error-codes-test-secret' }, config: { state: new ConfigState(), ready: true }, sink: nullSink, encoder: RecordEncoder.offline() }),
  config: () => buildConfig({ settings: { operatorToken: 'error-codes-test-operator-token' }, store: new MemoryConfigStore() }),
  decide: async () => {
    const host = new AppHost({ config: new ConfigState(), scores: new MemoryScores() });
    hosts.push(host);
    await host.start();
    return buildDecide({ host, geo: openGeo(), sink: new MemoryDecisionSink<'decisions.http.v1'>() });
  },
  snapshots: async () => buildSnapshots({ source: { table: new ScoreTable(1, 10), isReady: () => true } }),
};

describe.each(Object.keys(gateways))('the %s gateway', (name) => {
  let app: Gateway;

  beforeAll(async () => {
    app = await gateways[name]!();
    // A probe route on the gateway as built: it throws the code it is asked for.
    app.get<{ Params: { code: VaneErrorCode } }>('/__error-codes/:code', async (request) => {
      throw new VaneError(request.params.code, `probe ${request.params.code}`);
    });
    app.post('/__error-codes/schema', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    for (const host of hosts.splice(0)) host.stop();
  });

  it('answers errors through @vane/core/http', () => {
    expect(answersVaneErrors(app)).toBe(true);
  });

  it('answers every error code with the one status of the table', async () => {
    const answered: [VaneErrorCode, number, string][] = [];
    for (const code of codes) {
      const res = await app.inject({ url: `/__error-codes/${code}` });
      answered.push([code, res.statusCode, (res.json() as { code: string }).code]);
    }
    expect(answered).toEqual(codes.map((code) => [code, httpStatusOf(code), code]));
  });

  it("answers Fastify's own refusals and unknown routes with the same codes", async () => {
    const invalid = await app.inject({ method: 'POST', url: '/__error-codes/schema', payload: { n: 'x' } });
    expect([invalid.statusCode, invalid.json()]).toEqual([400, { code: 'VANE_ERR_VALIDATION', message: 'body.n must be integer', field: 'body.n' }]);
    const missing = await app.inject({ url: '/no/such/route' });
    expect([missing.statusCode, missing.json()]).toEqual([404, { code: 'VANE_ERR_NOT_FOUND', message: 'no route GET /no/such/route' }]);
  });
});
