import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { components } from '../src/components';
import { runVane } from '@vane/test-support/run-vane';

/**
 * A bad numeric environment value stops every component at start, through
 * the real entry path (`vane run <component>`), with VANE_ERR_CONFIG naming
 * the variable, before it connects anywhere: every service address points
 * at a closed port, so a component that tried to connect first would fail
 * with another code, or hang.
 */
const bad: Record<string, [variable: string, value: string, accepted: string]> = {
  ingest: ['VANE_INGEST_MAX_EVENTS', 'many', 'an integer ≥ 1'],
  scorer: ['VANE_SCORER_WINDOW_BUCKETS', '15.5', 'an integer ≥ 1'],
  snapshots: ['VANE_SNAPSHOTS_HEARTBEAT_MS', '-1', 'an integer ≥ 1'],
  config: ['VANE_CONFIG_MAX_TESTS', 'lots', 'an integer ≥ 1'],
  dns: ['VANE_DNS_MAX_UDP_PAYLOAD', '100', 'an integer ≥ 512 and ≤ 4096'],
  decide: ['VANE_DECIDE_PORT', 'http', 'a TCP port (1-65535)'],
  realtime: ['VANE_REALTIME_PORT', 'http', 'a TCP port (1-65535)'],
  'decisions-loader': ['VANE_METRICS_PORT', 'abc', 'an integer ≥ 1 and ≤ 65534'],
  deadletters: ['VANE_MAX_BATCH_RECORDS', 'abc', 'an integer ≥ 1'],
  geo: ['VANE_MAX_BATCH_RECORDS', 'abc', 'an integer ≥ 1'],
  simulator: ['VANE_SIM_RATE', 'fast', 'a number > 0 and ≤ 1000'],
};

const closed = '127.0.0.1:9';

describe('a bad environment value', () => {
  let home: string;
  let env: Record<string, string>;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'vane-bad-env-'));
    const inherited = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('VANE_')));
    env = {
      ...inherited,
      VANE_HOME: home,
      VANE_KAFKA_BROKERS: closed,
      VANE_REGISTRY_URL: `http://${closed}`,
      VANE_SCYLLA_CONTACT_POINTS: closed,
      VANE_CLICKHOUSE_URL: `http://${closed}`,
      VANE_SNAPSHOTS_URL: `http://${closed}`,
      VANE_SIM_INGEST_URL: `http://${closed}`,
      VANE_CONFIG_URL: `http://${closed}`,
    };
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('covers every component vane run knows', () => {
    expect(Object.keys(bad).sort()).toEqual(Object.keys(components).sort());
  });

  it.each(Object.entries(bad))('stops %s at start with VANE_ERR_CONFIG naming the variable', async (component, [variable, value, accepted]) => {
    const result = await runVane(['run', component], { env: { ...env, [variable]: value }, timeoutMs: 60_000 });
    expect(result.stderr).toContain(`vane: VANE_ERR_CONFIG: ${variable}=${value} is not ${accepted}\n`);
    expect(result.code).toBe(1);
    // Nothing was written before the check either (ingest's secret, config's operator token, the simulator's site).
    expect(['ingest/secret', 'config/operator-token', 'simulator'].filter((f) => existsSync(join(home, f)))).toEqual([]);
  });
});
