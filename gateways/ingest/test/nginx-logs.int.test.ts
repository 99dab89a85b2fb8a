import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerLogLine } from '@vane/schemas';
import { createNamespace, eventually, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';
import { startConfigService, type TestConfigService } from '@vane/test-support/config-service';
import { ensureNginx } from './support/debian';
import { freePort, removeDir, startTestGateway, type TestGateway } from './support/gateway';

/**
 * Real logs: a real nginx (Debian's package) on a loopback port answers a set
 * of requests; its own access log (nginx's `combined` format) is uploaded and
 * every line is found on ingest.serverlogs.v1.
 */
jest.setTimeout(300_000);

describe('nginx access log upload', () => {
  let ns: TestNamespace;
  let gw: TestGateway;
  let config: TestConfigService;
  let nginx: ChildProcess | undefined;
  let dir: string;
  let port: number;
  let key: string;
  let siteId: string;

  beforeAll(async () => {
    const { binary, env } = ensureNginx();
    dir = mkdtempSync(join(tmpdir(), 'vane-nginx-'));
    for (const d of ['logs', 'tmp']) mkdirSync(join(dir, d));
    port = await freePort();
    const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/logs/access.log combined;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /missing { return 404; }
    location /redirect { return 301 /; }
    location / { return 200 "ok\\n"; }
  }
}
`;
    writeFileSync(join(dir, 'nginx.conf'), conf);
    nginx = spawn(binary, ['-p', dir, '-e', join(dir, 'logs', 'error.log'), '-c', join(dir, 'nginx.conf')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await eventually(`nginx on 127.0.0.1:${port} (${stderr})`, async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), 20_000, 100);

    ns = await createNamespace();
    config = await startConfigService(ns);
    const created = await runVane(['sites', 'create', 'example.com', '--scopes', 'logs'], { env: { ...ns.env, ...config.env } });
    expect(created.code).toBe(0);
    ({ key, siteId } = JSON.parse(created.stdout) as { key: string; siteId: string });
    gw = await startTestGateway({ connections: ns.connections, naming: ns.naming });
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await gw?.stop();
    if (gw) removeDir(gw.spoolDir);
    await config?.close();
    await ns?.cleanup();
    if (dir) removeDir(dir);
  });

  it('finds every line of nginx\'s own access log on the topic', async () => {
    const base = `http://127.0.0.1:${port}`;
    const agents = ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'curl/8.5.0', 'Agent "with quotes" and a back\\slash', ''];
    const requests: { method: string; path: string; status: number }[] = [];
    for (let i = 0; i < 60; i++) {
      const path = i % 10 === 0 ? '/missing' : i % 7 === 0 ? `/redirect?from=${i}` : `/page/${i}?q=${encodeURIComponent(`a b&c=${i}`)}`;
      const method = i % 5 === 0 ? 'POST' : i % 11 === 0 ? 'HEAD' : 'GET';
      const headers: Record<string, string> = { 'user-agent': agents[i % agents.length]! };
      if (i % 3 === 0) headers.referer = `https://ref.example/${i}`;
      const res = await fetch(`${base}${path}`, { method, headers, redirect: 'manual', body: method === 'POST' ? `payload ${i}` : undefined });
      await res.arrayBuffer();
      requests.push({ method, path, status: res.status });
    }
    // nginx writes a log line when a request completes.
    const log = await eventually('nginx to log every request', async () => {
      const text = readFileSync(join(dir, 'logs', 'access.log'), 'utf8');
      return text.trim().split('\n').length >= 61 ? text : undefined;
    });
    const lines = log.trim().split('\n');
    expect(lines).toHaveLength(61); // 60 requests + the readiness probe

    const res = await fetch(`${gw.url}/api/v1/beacon/log?format=nginx_combined&uploadId=nginx-1`, { method: 'POST', headers: { 'x-vane-key': key, 'content-type': 'text/plain' }, body: log });
    const summary = (await res.json()) as { accepted: number; rejected: number; lines: number };
    expect(res.status).toBe(200);
    expect(summary).toMatchObject({ lines: 61, accepted: 61, rejected: 0 });

    const records = await readAll<ServerLogLine>(ns, topicOf(ns, 'ingest.serverlogs.v1'), { atLeast: 61 });
    expect(records).toHaveLength(61);
    const byLine = new Map(records.map((r) => [r.value.lineNumber, r.value]));
    for (let n = 1; n <= 61; n++) {
      const value = byLine.get(n);
      expect(value).toBeDefined();
      expect(value!.siteId).toBe(siteId);
      expect(value!.network.truncatedIp).toBe('127.0.0.0/24');
      // The line's own request, status and agent.
      expect(lines[n - 1]).toContain(`"${value!.method} ${value!.path}${value!.query === null ? '' : `?${value!.query}`} ${value!.protocol}" ${value!.status} `);
    }
    for (let i = 0; i < 60; i++) {
      const value = byLine.get(i + 2)!;
      const [path, query] = requests[i]!.path.split('?');
      expect(value).toMatchObject({ method: requests[i]!.method, path, query: query ?? null, status: requests[i]!.status, format: 'nginx_combined' });
      const agent = agents[i % agents.length]!;
      if (agent === '') expect(value.userAgent).toBeNull();
      else expect(value.userAgent?.raw).toBe(agent);
      expect(value.referrer).toBe(i % 3 === 0 ? `https://ref.example/${i}` : null);
    }
  });
});
