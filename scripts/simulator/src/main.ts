import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { infraPathsFromEnv, portFromEnv } from '@vane/core';
import { demoProbes, setupDemoApp } from './routing';
import { Traffic } from './traffic';
import { providers } from './world';

type Env = Record<string, string | undefined>;

interface DemoSite {
  siteId: string;
  key: string;
  domain: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `vane sites create` for the demo site and returns what it printed. */
function createSite(domain: string, env: Env): Promise<DemoSite> {
  const bin = join(__dirname, '..', '..', 'cli', 'bin', 'vane.js');
  const probes = providers.flatMap((p) => demoProbes(p, domain).flatMap((probe) => ['--probe', `${p}:${probe.type}=${probe.url}`]));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'sites', 'create', domain, '--name', 'Vane demo (simulator)', ...probes], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`vane sites create exited with ${code}`));
      const site = JSON.parse(out.trim().split('\n').pop()!) as DemoSite;
      resolve({ siteId: site.siteId, key: site.key, domain });
    });
  });
}

async function sessionStatus(ingestUrl: string, key: string): Promise<number> {
  try {
    return (await fetch(`${ingestUrl}/api/v1/session/init`, { headers: { 'x-vane-key': key } })).status;
  } catch {
    return 0;
  }
}

/**
 * Sets up the demo routing app through the config service (operator token
 * from VANE_CONFIG_OPERATOR_TOKEN or the file the service writes), retrying
 * while the service starts, then has every page load ask the decide gateway.
 * Without a config service the simulator goes on with ingest traffic only.
 */
async function routeThroughDecide(traffic: Traffic, env: Env, log: (line: string) => void, stopping: () => boolean): Promise<void> {
  const home = infraPathsFromEnv(env).home;
  const tokenFile = env.VANE_CONFIG_OPERATOR_TOKEN_FILE || join(home, 'config', 'operator-token');
  const configUrl = env.VANE_CONFIG_URL || `http://127.0.0.1:${portFromEnv(env, 'VANE_CONFIG_PORT', 7071)}`;
  const decideUrl = env.VANE_SIM_DECIDE_URL || `http://127.0.0.1:${portFromEnv(env, 'VANE_DECIDE_PORT', 7072)}`;
  let lastError = '';
  for (let attempt = 0; attempt < 60 && !stopping(); attempt++) {
    try {
      const operatorToken = env.VANE_CONFIG_OPERATOR_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
      if (!operatorToken) throw new Error(`no operator token yet (${tokenFile})`);
      const appId = await setupDemoApp({ configUrl, operatorToken, tenant: env.VANE_SIM_TENANT || 'default' });
      traffic.decide = { url: decideUrl, appId };
      log(`demo routing app ${appId} published; page loads now ask ${decideUrl}/v1/decide/${appId}`);
      return;
    } catch (error) {
      lastError = (error as Error).message;
      await sleep(2000);
    }
  }
  if (!stopping()) log(`no routing app: the config service did not accept the demo app (${lastError}); sending ingest traffic only`);
}

/**
 * `vane run simulator`: browsers visiting a demo site. Creates the site once
 * (kept in $VANE_HOME/simulator/site.json), waits until the ingest gateway
 * knows its key, then sends VANE_SIM_RATE page loads per second until
 * SIGINT/SIGTERM, with a status line every VANE_STATUS_INTERVAL_MS.
 */
export async function main(env: Env): Promise<void> {
  const ingestUrl = env.VANE_SIM_INGEST_URL || `http://127.0.0.1:${portFromEnv(env, 'VANE_INGEST_PORT', 7070)}`;
  const rate = Number(env.VANE_SIM_RATE ?? 2);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) throw new Error(`VANE_SIM_RATE=${env.VANE_SIM_RATE} must be a number of page loads per second in (0, 1000]`);
  const domain = env.VANE_SIM_DOMAIN || 'demo.vane.test';
  const stateFile = join(infraPathsFromEnv(env).home, 'simulator', `${env.VANE_TOPIC_PREFIX ?? ''}site.json`);
  const log = (line: string): void => {
    process.stderr.write(`simulator: ${line}\n`);
  };

  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let site: DemoSite | null = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as DemoSite) : null;
  // Wait for the gateway, then make sure it accepts our key.
  for (let i = 0; !stopping && (await sessionStatus(ingestUrl, site?.key ?? 'none')) === 0; i++) {
    if (i % 10 === 0) log(`waiting for the ingest gateway at ${ingestUrl}…`);
    await sleep(1000);
  }
  if (site && (await sessionStatus(ingestUrl, site.key)) !== 200) site = null;
  if (!site && !stopping) {
    site = await createSite(domain, env);
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify(site));
    log(`created demo site ${site.domain} (${site.siteId})`);
    for (let i = 0; !stopping && (await sessionStatus(ingestUrl, site.key)) !== 200; i++) {
      if (i === 60) throw new Error(`the ingest gateway at ${ingestUrl} did not learn the demo site's key within 60 s`);
      await sleep(1000);
    }
  }
  if (stopping || !site) return;

  const traffic = new Traffic({ ingestUrl, key: site.key, domain: site.domain, seed: Number(env.VANE_SIM_SEED ?? Date.now() % 2 ** 31) });
  log(`sending ${rate} page load(s)/s to ${ingestUrl} for ${site.domain}`);
  void routeThroughDecide(traffic, env, log, () => stopping);
  const statusEvery = Number(env.VANE_STATUS_INTERVAL_MS ?? 30_000);
  let lastStatus = Date.now();
  const interval = 1000 / rate;
  let next = Date.now();
  const inFlight = new Set<Promise<void>>();
  while (!stopping) {
    const p = traffic.pageLoad().finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size > 50) await Promise.race(inFlight);
    if (Date.now() - lastStatus >= statusEvery) {
      const c = traffic.counters;
      log(`${c.pageLoads} page loads, ${c.beacons} beacons, ${c.measurements} measurements, ${c.decisions} decisions, ${c.failures} failures${c.lastFailure ? ` (last: ${c.lastFailure})` : ''}`);
      lastStatus = Date.now();
    }
    next += interval;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(inFlight);
  log(`stopped after ${traffic.counters.pageLoads} page loads`);
}
