import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connections } from '@vane/core';
import type { TopicNaming } from '@vane/topics';
import { startGateway, type RunningGateway, type ServerOptions } from '../../src/server';

const TEST_SECRET = 'integration-secret-0123456789';

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestGateway extends RunningGateway {
  spoolDir: string;
  stop(): Promise<void>;
}

/** Starts the real gateway (Kafka, registry, spool) on a random loopback port. */
export async function startTestGateway(options: {
  connections: Connections;
  naming: TopicNaming;
  spoolDir?: string;
  spoolAfterMs?: number;
  settings?: Partial<ServerOptions['settings']>;
}): Promise<TestGateway> {
  const spoolDir = options.spoolDir ?? mkdtempSync(join(tmpdir(), 'vane-ingest-spool-'));
  const logs: string[] = [];
  const gateway = await startGateway({
    settings: { host: '127.0.0.1', port: 0, secret: TEST_SECRET, ...options.settings },
    connections: options.connections,
    naming: options.naming,
    spoolDir,
    spoolMaxBytes: 256 * 1024 * 1024,
    spoolAfterMs: options.spoolAfterMs ?? 2000,
    // Several producers, so that the tests exercise the pool (the default is 1).
    kafkaProducers: 3,
    logLevel: 'silent',
    log: (line) => {
      logs.push(line);
      if (process.env.VANE_TEST_VERBOSE) process.stderr.write(`${line}\n`);
    },
  });
  return {
    ...gateway,
    spoolDir,
    async stop() {
      await gateway.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
