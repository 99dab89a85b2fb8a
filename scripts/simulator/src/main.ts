import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { infraPathsFromEnv, readEnv, type Env } from '@vane/core';
import { demoProbes, ensureTenant, setupDemoApp, type RoutingSetup } from './routing';
import { Traffic } from './traffic';
import { providers } from './world';

/** Everything the simulator reads from the environment, checked before it starts. */
export interface SimulatorOptions {
  /** VANE_SIM_INGEST_URL, default http://127.0.0.1:$VANE_INGEST_PORT. */
  ingestUrl: string;
  /** VANE_SIM_DECIDE_URL, default http://127.0.0.1:$VANE_DECIDE_PORT. */
  decideUrl: string;
  /** VANE_CONFIG_URL, default http://127.0.0.1:$VANE_CONFIG_PORT. */
  configUrl: string;
  /** VANE_CONFIG_OPERATOR_TOKEN, else read from this file (VANE_CONFIG_OPERATOR_TOKEN_FILE, default $VANE_HOME/config/operator-token). */
  operatorToken: string | undefined;
  tokenFile: string;
  /** VANE_SIM_RATE: page loads per second, (0, 1000], default 2. */
  rate: number;
  /** VANE_SIM_DOMAIN, default demo.vane.test. */
  domain: string;
  /** VANE_SIM_SEED, default from the clock. */
  seed: number;
  /** VANE_SIM_TENANT: tenant of the demo app, default "default". */
  tenant: string;
  /** Where the demo site is kept ($VANE_HOME/simulator/<prefix>site.json). */
  stateFile: string;
  /** VANE_STATUS_INTERVAL_MS, default 30000. */
  statusIntervalMs: number;
}

export function simulatorOptionsFromEnv(env: Env, now = Date.now()): SimulatorOptions {
  const read = readEnv(env);
  const home = infraPathsFromEnv(env).home;
  const local = (name: string, fallback: number): string => `http://127.0.0.1:${read.port(name, { default: fallback })}`;
  return {
    ingestUrl: read.string('VANE_SIM_INGEST_URL') ?? local('VANE_INGEST_PORT', 7070),
    decideUrl: read.string('VANE_SIM_DECIDE_URL') ?? local('VANE_DECIDE_PORT', 7072),
    configUrl: read.string('VANE_CONFIG_URL') ?? local('VANE_CONFIG_PORT', 7071),
    operatorToken: read.string('VANE_CONFIG_OPERATOR_TOKEN'),
    tokenFile: read.string('VANE_CONFIG_OPERATOR_TOKEN_FILE', { default: join(home, 'config', 'operator-token') }),
    rate: read.number('VANE_SIM_RATE', { default: 2, above: 0, max: 1000 }),
    domain: read.string('VANE_SIM_DOMAIN', { default: 'demo.vane.test' }),
    seed: read.int('VANE_SIM_SEED', { default: now % 2 ** 31 }),
    tenant: read.string('VANE_SIM_TENANT', { default: 'default' }),
    stateFile: join(home, 'simulator', `${read.string('VANE_TOPIC_PREFIX', { default: '' })}site.json`),
    statusIntervalMs: read.int('VANE_STATUS_INTERVAL_MS', { default: 30_000, min: 1 }),
  };
}

interface DemoSite {
  siteId: string;
  key: string;
  domain: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `vane sites create` for the demo site (through the config service, as an operator of `tenant`) and returns what it printed. */
function createSite(domain: string, tenant: string, configUrl: string, env: Env): Promise<DemoSite> {
  const bin = join(__dirname, '..', '..', 'cli', 'bin', 'vane.js');
  const probes = providers.flatMap((p) => demoProbes(p, domain).flatMap((probe) => ['--probe', `${p}:${probe.type}=${probe.url}`]));
  const args = [bin, 'sites', 'create', domain, '--name', 'Vane demo (simulator)', '--tenant', tenant, '--config-url', configUrl, ...probes];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

/** The config service's access: where it is, the demo tenant, and the operators' token (VANE_CONFIG_OPERATOR_TOKEN, else the file the service writes at start). */
function configAccess(options: SimulatorOptions): RoutingSetup {
  const { tokenFile } = options;
  const operatorToken = options.operatorToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!operatorToken) throw new Error(`no operator token yet (${tokenFile})`);
  return { configUrl: options.configUrl, operatorToken, tenant: options.tenant };
}

/**
 * Runs `step` with the config service's access until it succeeds, retrying
 * every 2 s while the service starts (it is started beside the simulator);
 * the last error after `attempts`, null when stopped.
 */
async function withConfigService<T>(options: SimulatorOptions, step: (setup: RoutingSetup) => Promise<T>, stopping: () => boolean, attempts = 60): Promise<{ value: T } | { error: string } | null> {
  let lastError = '';
  for (let attempt = 0; attempt < attempts && !stopping(); attempt++) {
    try {
      return { value: await step(configAccess(options)) };
    } catch (error) {
      lastError = (error as Error).message;
      await sleep(2000);
    }
  }
  return stopping() ? null : { error: lastError };
}

/**
 * Sets up the demo routing app through the config service, then has every
 * page load ask the decide gateway. Without a config service the simulator
 * goes on with ingest traffic only.
 */
async function routeThroughDecide(traffic: Traffic, options: SimulatorOptions, log: (line: string) => void, stopping: () => boolean): Promise<void> {
  const { decideUrl } = options;
  const outcome = await withConfigService(options, setupDemoApp, stopping);
  if (outcome && 'value' in outcome) {
    const appId = outcome.value;
    traffic.decide = { url: decideUrl, appId };
    log(`demo routing app ${appId} published; page loads now ask ${decideUrl}/v1/decide/${appId}`);
    return;
  }
  if (outcome) log(`no routing app: the config service did not accept the demo app (${outcome.error}); sending ingest traffic only`);
}

/**
 * `vane run simulator`: browsers visiting a demo site. Creates the site once
 * (kept in $VANE_HOME/simulator/site.json) with `vane sites create` through
 * the config service, waiting for that service and the demo tenant first,
 * waits until the ingest gateway knows its key, then sends VANE_SIM_RATE
 * page loads per second until SIGINT/SIGTERM, with a status line every
 * VANE_STATUS_INTERVAL_MS.
 */
export async function main(env: Env): Promise<void> {
  const options = simulatorOptionsFromEnv(env);
  const { ingestUrl, rate, domain, stateFile } = options;
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
    log(`creating the demo site ${domain} through the config service…`);
    const tenant = await withConfigService(options, ensureTenant, () => stopping);
    if (tenant && 'error' in tenant) throw new Error(`the config service did not accept the demo tenant within 120 s (${tenant.error})`);
    if (stopping) return;
    site = await createSite(domain, options.tenant, options.configUrl, env);
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify(site));
    log(`created demo site ${site.domain} (${site.siteId})`);
    for (let i = 0; !stopping && (await sessionStatus(ingestUrl, site.key)) !== 200; i++) {
      if (i === 60) throw new Error(`the ingest gateway at ${ingestUrl} did not learn the demo site's key within 60 s`);
      await sleep(1000);
    }
  }
  if (stopping || !site) return;

  const traffic = new Traffic({ ingestUrl, key: site.key, domain: site.domain, seed: options.seed });
  log(`sending ${rate} page load(s)/s to ${ingestUrl} for ${site.domain}`);
  void routeThroughDecide(traffic, options, log, () => stopping);
  const statusEvery = options.statusIntervalMs;
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
