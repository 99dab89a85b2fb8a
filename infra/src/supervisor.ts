import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { portFromEnv, VaneError, type InfraPaths } from '@vane/core';
import { portFree } from './probe';
import type { ServiceContext, ServiceDefinition } from './service';

/**
 * Process supervision for the local stack. Each service runs detached in its
 * own process group; `<stateDir>/vane.pid` records what Vane started (pid and
 * the command line), so `down` never touches a process it did not start and a
 * recycled pid is not mistaken for ours.
 */

interface PidRecord {
  pid: number;
  command: string;
  startedAt: string;
  ports: Record<string, number>;
}

export interface ServiceStatus {
  name: string;
  description: string;
  state: 'running' | 'starting' | 'stopped' | 'unhealthy';
  pid?: number;
  ports: Record<string, number>;
  log: string;
  dataDir: string;
}

type Env = Record<string, string | undefined>;
type Log = (message: string) => void;

export function contextFor(def: ServiceDefinition, paths: InfraPaths, env: Env, log: Log): ServiceContext {
  const stateDir = join(paths.home, def.name);
  const ports: Record<string, number> = {};
  for (const p of def.ports) ports[p.name] = portFromEnv(env, p.env, p.default);
  return {
    cacheDir: paths.cacheDir,
    stateDir,
    dataDir: join(stateDir, 'data'),
    logDir: join(stateDir, 'logs'),
    confDir: join(stateDir, 'conf'),
    ports,
    log: (m) => log(`[${def.name}] ${m}`),
  };
}

function pidFile(ctx: ServiceContext): string {
  return join(ctx.stateDir, 'vane.pid');
}

export function outputLog(ctx: ServiceContext, def: ServiceDefinition): string {
  return join(ctx.logDir, `${def.name}.out`);
}

function readPid(ctx: ServiceContext): PidRecord | null {
  try {
    return JSON.parse(readFileSync(pidFile(ctx), 'utf8')) as PidRecord;
  } catch {
    return null;
  }
}

function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/** Our recorded process, if it is still the same process. */
function liveRecord(ctx: ServiceContext): PidRecord | null {
  const record = readPid(ctx);
  if (!record) return null;
  const cmdline = commandLineOf(record.pid);
  if (cmdline === null || cmdline !== record.command) {
    rmSync(pidFile(ctx), { force: true });
    return null;
  }
  return record;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(
  def: ServiceDefinition,
  ctx: ServiceContext,
  pid: number,
  exited: () => number | null | undefined,
): Promise<void> {
  const deadline = Date.now() + def.startTimeoutSeconds * 1000;
  const log = outputLog(ctx, def);
  let lastNote = Date.now();
  while (Date.now() < deadline) {
    const code = exited();
    if (code !== undefined) {
      throw new VaneError('VANE_ERR_START_FAILED', `${def.name} exited with code ${code} while starting; see ${log}`);
    }
    if (await def.healthy(ctx)) return;
    if (Date.now() - lastNote > 15_000) {
      ctx.log(`still starting (pid ${pid}), log: ${log}`);
      lastNote = Date.now();
    }
    await sleep(500);
  }
  throw new VaneError(
    'VANE_ERR_START_TIMEOUT',
    `${def.name} did not become healthy within ${def.startTimeoutSeconds} s; see ${log}`,
  );
}

export type UpOutcome = 'started' | 'reused';

/** Starts one service unless our own healthy instance already runs. */
export async function upService(def: ServiceDefinition, ctx: ServiceContext): Promise<UpOutcome> {
  const running = liveRecord(ctx);
  if (running) {
    await waitHealthy(def, ctx, running.pid, () => (commandLineOf(running.pid) === null ? null : undefined));
    return 'reused';
  }
  for (const spec of def.ports) {
    const value = ctx.ports[spec.name];
    if (!(await portFree(value))) {
      throw new VaneError(
        'VANE_ERR_PORT_IN_USE',
        `port ${value} (${def.name} ${spec.name}) is already in use by a process Vane did not start; stop it or set ${spec.env}`,
      );
    }
  }
  for (const dir of [ctx.dataDir, ctx.logDir, ctx.confDir]) mkdirSync(dir, { recursive: true });
  try {
    await def.install(ctx);
  } catch (error) {
    throw new VaneError('VANE_ERR_INSTALL', `installing ${def.name} failed: ${(error as Error).message}`, { cause: error });
  }
  await def.prepare(ctx);
  const launch = def.launch(ctx);
  const log = outputLog(ctx, def);
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n--- vane: starting ${def.name} at ${new Date().toISOString()}\n`);
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd ?? ctx.stateDir,
    env: { ...process.env, ...launch.env },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => {
    exitCode = code;
  });
  child.unref();
  if (child.pid === undefined) throw new VaneError('VANE_ERR_START_FAILED', `could not spawn ${launch.command}; see ${log}`);
  // The command line as /proc shows it, so a recycled pid is recognised later.
  let command = commandLineOf(child.pid);
  for (let i = 0; command === null && i < 10; i++) {
    await sleep(50);
    command = commandLineOf(child.pid);
  }
  const record: PidRecord = {
    pid: child.pid,
    command: command ?? [launch.command, ...launch.args].join(' '),
    startedAt: new Date().toISOString(),
    ports: ctx.ports,
  };
  writeFileSync(pidFile(ctx), JSON.stringify(record));
  try {
    await waitHealthy(def, ctx, child.pid, () => exitCode);
  } catch (error) {
    await stopService(def, ctx);
    throw error;
  }
  return 'started';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops our instance (SIGTERM to its process group, SIGKILL after the grace period). */
export async function stopService(def: ServiceDefinition, ctx: ServiceContext, graceSeconds = 30): Promise<boolean> {
  const record = liveRecord(ctx);
  if (!record) return false;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceSeconds * 1000;
  while (alive(record.pid) && Date.now() < deadline) await sleep(200);
  if (alive(record.pid)) {
    ctx.log(`did not stop within ${graceSeconds} s, killing`);
    signal('SIGKILL');
    while (alive(record.pid)) await sleep(100);
  }
  rmSync(pidFile(ctx), { force: true });
  return true;
}

export async function serviceStatus(def: ServiceDefinition, ctx: ServiceContext): Promise<ServiceStatus> {
  const record = liveRecord(ctx);
  const base = { name: def.name, description: def.description, ports: ctx.ports, log: outputLog(ctx, def), dataDir: ctx.dataDir };
  if (!record) return { ...base, state: 'stopped' };
  const ok = await def.healthy(ctx);
  return { ...base, pid: record.pid, state: ok ? 'running' : 'unhealthy' };
}

