import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readEnv } from '@vane/core';
import { stackDown, stackStatus, stackUp } from '@vane/infra';
import { SchemaCodec, schemaFiles, topicNames } from '@vane/schemas';
import { applyTopics, createKafka, valueSubjectOf } from '@vane/topics';
import { components } from './components';
import { cliEnvironment } from './environment';

type Env = Record<string, string | undefined>;

const vaneBin = join(__dirname, '..', 'bin', 'vane.js');

interface Running {
  name: string;
  child: ChildProcess;
  exited: boolean;
  restarts: number;
}

/**
 * Runs `vane run <name>` as a child process, prefixing its output lines, and
 * restarts it with backoff (1 s, 2 s, 4 s … 30 s) when it exits unasked.
 */
function launch(name: string, env: Env, log: (line: string) => void, stopping: () => boolean): Running {
  const running: Running = { name, child: undefined as unknown as ChildProcess, exited: false, restarts: 0 };
  const spawnOnce = (): void => {
    const child = spawn(process.execPath, [vaneBin, 'run', name], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.child = child;
    running.exited = false;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => log(`[${name}] ${line}`));
    }
    child.on('exit', (code, signal) => {
      running.exited = true;
      if (stopping()) return;
      const delay = Math.min(30_000, 1000 * 2 ** running.restarts);
      running.restarts++;
      log(`[${name}] exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
      setTimeout(() => {
        if (!stopping()) spawnOnce();
      }, delay).unref();
    });
  };
  spawnOnce();
  return running;
}

/**
 * `npm start`: the whole platform on the local stack, in the foreground.
 * Ctrl-C stops the components, then the services this run started (a stack
 * that was already running is left running).
 */
export async function start(env: Env): Promise<void> {
  const e = cliEnvironment(env);
  const interval = readEnv(env).int('VANE_STATUS_INTERVAL_MS', { default: 30_000, min: 1 });
  const log = e.log;
  log('vane: bringing the local stack up (first run downloads Kafka, Apicurio, Cassandra and ClickHouse into the cache)…');
  const up = await stackUp([], { paths: e.paths, env: e.env, log });

  const admin = createKafka(e.connections, 'start').admin();
  await admin.connect();
  const report = await applyTopics(admin, { naming: e.naming });
  await admin.disconnect();
  log(`vane: topics: ${report.created.length} created, ${report.configsFixed.length} configs fixed, ${report.unchanged.length} unchanged`);
  for (const problem of report.problems) log(`vane: topics: cannot change: ${problem}`);

  const codec = new SchemaCodec(e.connections.registryUrl);
  for (const topic of topicNames) await codec.register(valueSubjectOf(topic, e.naming), schemaFiles[topic]);
  log(`vane: schemas: ${topicNames.length} subjects registered (BACKWARD)`);

  let stopping = false;
  // The simulator's browsers reach the ingest gateway through loopback with
  // their address in X-Forwarded-For: trust it from loopback, locally only.
  const componentEnv: Env = { ...env, VANE_INGEST_TRUSTED_PROXIES: env.VANE_INGEST_TRUSTED_PROXIES ?? '127.0.0.1' };
  const running = Object.entries(components)
    .filter(([, c]) => c.platform)
    .map(([name]) => launch(name, componentEnv, log, () => stopping));

  const statuses = await stackStatus([], { paths: e.paths, env: e.env, log });
  const lines = [
    '',
    'Vane is running. Where to look:',
    ...statuses.map((s) => `  ${s.name.padEnd(11)} ${Object.entries(s.ports).map(([k, v]) => `${k} 127.0.0.1:${v}`).join(', ')}   log ${s.log}`),
    ...Object.entries(components)
      .filter(([, c]) => c.platform)
      .map(([name, c]) => `  ${name.padEnd(11)} ${c.url ?? c.description}`),
    '  records:    npx vane consume ingest.measurements.v1 --max 5',
    '  status:     npx vane infra status',
    'Ctrl-C stops everything this command started.',
    '',
  ];
  log(lines.join('\n'));

  const timer = setInterval(() => {
    void stackStatus([], { paths: e.paths, env: e.env, log }).then((all) => {
      const infra = all.map((s) => `${s.name} ${s.state}`).join(' · ');
      const comps = running.map((r) => `${r.name} ${r.exited ? 'DOWN' : 'up'}${r.restarts ? ` (${r.restarts} restarts)` : ''}`).join(' · ');
      log(`vane: ${infra} | ${comps}`);
    });
  }, interval);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  stopping = true;
  log('vane: stopping components…');
  await Promise.all(
    running.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.exited) return resolve();
          r.child.once('exit', () => resolve());
          r.child.kill('SIGTERM');
          setTimeout(() => r.child.kill('SIGKILL'), 20_000).unref();
        }),
    ),
  );
  if (up.started.length > 0) {
    log(`vane: stopping ${up.started.join(', ')}…`);
    await stackDown(up.started, { paths: e.paths, env: e.env, log });
  }
  log('vane: stopped');
  process.exit(0);
}
