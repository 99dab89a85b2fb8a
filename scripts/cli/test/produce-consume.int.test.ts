import { createNamespace, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';

function measurement(i: number): Record<string, unknown> {
  return {
    measurementId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    receivedAt: 1_763_800_000_000 + i,
    eventTime: 1_763_800_000_000 + i,
    sessionId: i % 2 ? `s-${i}` : null,
    siteId: 'site-1',
    provider: i % 3 ? 'cdn-a' : 'cdn-b',
    probeType: 'rtt',
    value: 10 + i / 4,
    timings: i % 2 ? { dnsMs: 1.5, connectMs: null, tlsMs: null, ttfbMs: 20, downloadMs: 3 } : null,
    url: null,
    client: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: null },
    resolver: null,
    source: 'rum',
  };
}

describe('vane produce | vane consume', () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await createNamespace();
  });
  afterAll(async () => {
    await ns.cleanup();
  });

  it('writes JSON lines with the registered schema and reads them back identical', async () => {
    const records = Array.from({ length: 25 }, (_, i) => measurement(i));
    const produced = await runVane(['produce', 'ingest.measurements.v1', '--key-field', 'client.country'], {
      env: ns.env,
      stdin: `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    expect(produced.stdout).toContain(`wrote 25 record(s) to ${ns.naming.prefix}ingest.measurements.v1`);

    const consumed = await runVane(['consume', 'ingest.measurements.v1', '--from-beginning', '--max', '25', '--timeout', '20'], { env: ns.env });
    expect(consumed.code).toBe(0);
    const lines = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(25);
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a.measurementId).localeCompare(String(b.measurementId));
    expect(lines.sort(byId)).toEqual(records.sort(byId));
  });

  it('stops at a bad line with its number and keeps the lines before it', async () => {
    const good = [measurement(100), measurement(101)].map((r) => JSON.stringify(r));
    const bad = JSON.stringify({ ...measurement(102), value: 'fast' });
    const result = await runVane(['produce', 'ingest.measurements.v1'], { env: ns.env, stdin: `${good.join('\n')}\n${bad}\n${JSON.stringify(measurement(103))}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('VANE_ERR_VALIDATION');
    expect(result.stderr).toContain('line 3');
    expect(result.stderr).toContain('value');
    expect(result.stderr).toContain('2 record(s) before it were written');

    const notJson = await runVane(['produce', 'ingest.measurements.v1', '--skip-invalid'], { env: ns.env, stdin: `{oops\n${JSON.stringify(measurement(104))}\n` });
    expect(notJson.code).toBe(0);
    expect(notJson.stderr).toContain('line 1: VANE_ERR_BAD_INPUT: not JSON');
    expect(notJson.stdout).toContain('wrote 1 record(s)');

    const consumed = await runVane(['consume', 'ingest.measurements.v1', '--from-beginning', '--meta', '--timeout', '8'], { env: ns.env });
    const ids = consumed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: { measurementId: string } }).value.measurementId);
    expect(ids).toEqual(expect.arrayContaining([measurement(100), measurement(101), measurement(104)].map((m) => m.measurementId)));
    expect(ids).not.toContain(measurement(103).measurementId);
    expect(ids).toHaveLength(28);
  });

  it('answers unknown topics and bad options with one clear line and a non-zero exit', async () => {
    const unknown = await runVane(['produce', 'nope.v1'], { env: ns.env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("vane: VANE_ERR_UNKNOWN_TOPIC: 'nope.v1' is not a topic of the catalogue (see `vane topics list`)");
    const badMax = await runVane(['consume', 'scores.v1', '--max', 'many'], { env: ns.env });
    expect(badMax.code).not.toBe(0);
    expect(badMax.stderr).toContain("expected a non-negative number, got 'many'");
  });
});

describe('vane --help', () => {
  it.each([[[]], [['infra']], [['topics', 'apply']], [['produce']], [['consume']], [['run']], [['schemas', 'check']]])('prints help for %j', async (args) => {
    const result = await runVane([...args, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: vane');
  });
});
