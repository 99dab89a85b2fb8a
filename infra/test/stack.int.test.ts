import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraPathsFromEnv, VaneError } from '@vane/core';
import { portFree, stackDown, stackStatus, stackUp } from '../src';
import { freePort } from '@vane/test-support/ports';

const quiet = (): void => undefined;

describe('the real local stack', () => {
  it('reuses every running service on a second up', async () => {
    const options = { paths: infraPathsFromEnv(process.env), env: process.env, log: quiet };
    const again = await stackUp([], options);
    expect(again.started).toEqual([]);
    expect(again.reused.sort()).toEqual(['cassandra', 'clickhouse', 'kafka', 'registry']);
    const statuses = await stackStatus([], options);
    expect(statuses.map((s) => s.state)).toEqual(['running', 'running', 'running', 'running']);
  });

  describe('a private ClickHouse instance (own home and ports)', () => {
    let home: string;
    let env: Record<string, string | undefined>;
    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'vane-stack-'));
      env = { ...process.env, VANE_HOME: home, VANE_CLICKHOUSE_PORT: String(await freePort()), VANE_CLICKHOUSE_TCP_PORT: String(await freePort()) };
    });
    afterAll(async () => {
      await stackDown(['clickhouse'], { paths: infraPathsFromEnv(env), env, log: quiet });
      rmSync(home, { recursive: true, force: true });
    });

    it('starts, is reused by a second up, and stops on down', async () => {
      const options = { paths: infraPathsFromEnv(env), env, log: quiet };
      expect(await stackUp(['clickhouse'], options)).toEqual({ started: ['clickhouse'], reused: [] });
      expect(await stackUp(['clickhouse'], options)).toEqual({ started: [], reused: ['clickhouse'] });
      const [status] = await stackStatus(['clickhouse'], options);
      expect(status).toMatchObject({ state: 'running', ports: { http: Number(env.VANE_CLICKHOUSE_PORT) } });
      expect(await stackDown(['clickhouse'], options)).toEqual(['clickhouse']);
      expect(await portFree(Number(env.VANE_CLICKHOUSE_PORT))).toBe(true);
      expect((await stackStatus(['clickhouse'], options))[0]!.state).toBe('stopped');
    });

    it('gives a clear error when its port is taken by someone else', async () => {
      const squatter: Server = createServer();
      const port = Number(env.VANE_CLICKHOUSE_PORT);
      await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
      try {
        const error = (await stackUp(['clickhouse'], { paths: infraPathsFromEnv(env), env, log: quiet }).catch((e: unknown) => e)) as VaneError;
        expect(error).toBeInstanceOf(VaneError);
        expect(error.message).toBe(`port ${port} (clickhouse http) is already in use by a process Vane did not start; stop it or set VANE_CLICKHOUSE_PORT`);
      } finally {
        await new Promise<void>((r) => squatter.close(() => r()));
      }
    });

    it('names unknown services', async () => {
      await expect(stackUp(['postgres'], { paths: infraPathsFromEnv(env), env, log: quiet })).rejects.toThrow("unknown service 'postgres' (known: kafka, registry, cassandra, clickhouse)");
    });
  });
});
