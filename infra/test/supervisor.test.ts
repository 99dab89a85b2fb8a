import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaneError } from '@vane/core';
import { httpGet, portFree } from '../src/probe';
import type { ServiceDefinition } from '../src/service';
import { contextFor, serviceStatus, stopService, upService } from '../src/supervisor';
import { freePort } from '@vane/test-support/ports';

// A real process supervised exactly like Kafka or ClickHouse: a tiny HTTP
// server in its own `node` process, on a port picked for this test file.
function fakeService(port: number): ServiceDefinition {
  return {
    name: 'fake',
    description: 'test HTTP server',
    ports: [{ name: 'http', env: 'VANE_FAKE_PORT', default: port }],
    startTimeoutSeconds: 10,
    install: async () => undefined,
    prepare: async () => undefined,
    launch: (ctx) => ({
      command: process.execPath,
      args: ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${ctx.ports.http},'127.0.0.1')`],
    }),
    healthy: async (ctx) => (await httpGet(ctx.ports.http, '/', 500))?.body === 'ok',
  };
}

describe('supervisor', () => {
  let home: string;
  let port: number;
  let def: ServiceDefinition;
  const log = (): void => undefined;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'vane-supervisor-'));
    port = await freePort();
    def = fakeService(port);
  });

  afterEach(async () => {
    await stopService(def, contextFor(def, { home, cacheDir: home }, {}, log), 5);
    rmSync(home, { recursive: true, force: true });
  });

  it('starts a service, reuses it on a second up, and stops it on down', async () => {
    const ctx = contextFor(def, { home, cacheDir: home }, {}, log);
    expect(await upService(def, ctx)).toBe('started');
    const pid = JSON.parse(readFileSync(join(ctx.stateDir, 'vane.pid'), 'utf8')).pid as number;
    expect(await upService(def, ctx)).toBe('reused');
    expect(JSON.parse(readFileSync(join(ctx.stateDir, 'vane.pid'), 'utf8')).pid).toBe(pid);
    expect((await serviceStatus(def, ctx)).state).toBe('running');

    expect(await stopService(def, ctx, 5)).toBe(true);
    expect(await portFree(port)).toBe(true);
    expect((await serviceStatus(def, ctx)).state).toBe('stopped');
    expect(await stopService(def, ctx, 5)).toBe(false);
  });

  it('refuses a port taken by a process Vane did not start, naming the port and the variable', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const ctx = contextFor(def, { home, cacheDir: home }, {}, log);
      const error = await upService(def, ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaneError);
      expect((error as VaneError).code).toBe('VANE_ERR_PORT_IN_USE');
      expect((error as VaneError).message).toContain(`port ${port}`);
      expect((error as VaneError).message).toContain('VANE_FAKE_PORT');
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });

  it('takes ports from the environment', () => {
    const ctx = contextFor(def, { home, cacheDir: home }, { VANE_FAKE_PORT: '4321' }, log);
    expect(ctx.ports.http).toBe(4321);
    expect(() => contextFor(def, { home, cacheDir: home }, { VANE_FAKE_PORT: 'abc' }, log)).toThrow('VANE_FAKE_PORT=abc is not a TCP port');
  });

  it('fails with the log file named when the service never becomes healthy', async () => {
    const broken: ServiceDefinition = { ...def, startTimeoutSeconds: 1, healthy: async () => false };
    const ctx = contextFor(broken, { home, cacheDir: home }, {}, log);
    const error = (await upService(broken, ctx).catch((e: unknown) => e)) as VaneError;
    expect(error.code).toBe('VANE_ERR_START_TIMEOUT');
    expect(error.message).toContain(join(ctx.logDir, 'fake.out'));
    expect(await portFree(port)).toBe(true);
  });

  it('reports a service that exits while starting', async () => {
    const crashing: ServiceDefinition = { ...def, launch: () => ({ command: process.execPath, args: ['-e', 'process.exit(3)'] }) };
    const ctx = contextFor(crashing, { home, cacheDir: home }, {}, log);
    const error = (await upService(crashing, ctx).catch((e: unknown) => e)) as VaneError;
    expect(error.code).toBe('VANE_ERR_START_FAILED');
    expect(error.message).toContain('exited with code 3');
  });
});
