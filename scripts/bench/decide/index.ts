// Decide benchmark: wrk (Debian) against the HTTP decision gateway running
// the realistic app (best rtt above an availability floor, client located
// from ?ip=, decisions logged to Kafka) and, in the same run, against a bare
// Fastify route answering a fixed JSON body of the same shape. Alternating
// rounds, medians (a 2-core machine is noisy).
// Then, in process: the gateway's latency beside a hostile app (hostile.ts).
// Needs the local stack (npx vane infra up) for the decision log.
// Usage: npm run bench:decide -- [--seconds 8] [--rounds 3] [--connections 32]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ensureTool, type Tool } from '@vane/test-support/debian-tools';
import { median, startChild, stopChild } from '../dns/child-servers';
import { APP_ID, CLIENT_IP } from '../dns/routing-config';
import { arg, mib, printTable } from '../lib/report';
import { benchNamespace } from '../lib/namespace';
import { decideBesideHostile } from './hostile';

interface Run {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
}

function wrk(tool: Tool, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool.binary, args, { env: { ...process.env, ...tool.env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** wrk prints latencies as "1.23ms", "456.00us", "1.02s". */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`wrk latency '${text}' does not parse`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function parse(out: string): Run {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)$`, 'm').exec(out);
    if (!m) throw new Error(`wrk output lacks the ${p}% latency:\n${out}`);
    return ms(m[1]!);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk output lacks Requests/sec:\n${out}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = Number(non2xx?.[1] ?? 0) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps: Number(rps[1]), p50: pct('50'), p90: pct('90'), p99: pct('99'), errors };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 'VANE_BENCH_SECONDS', 8);
  const rounds = arg('rounds', 'VANE_BENCH_ROUNDS', 3);
  const connectionsN = arg('connections', 'VANE_BENCH_CONNECTIONS', 32);
  const tool = ensureTool('wrk');

  // Topics for the gateway's decision log, under a prefix of their own.
  const ns = await benchNamespace(['decisions.http.v1']);
  const { naming } = ns;

  const bare = await startChild('bare fastify', join(__dirname, 'bare-server.ts'), {});
  const vane = await startChild('vane decide gateway', join(__dirname, 'vane-server.ts'), { VANE_TOPIC_PREFIX: naming.prefix });
  const servers = [bare, vane];
  const runs = new Map<string, Run[]>(servers.map((s) => [s.name, []]));
  const url = (port: number) => `http://127.0.0.1:${port}/v1/decide/${APP_ID}?ip=${CLIENT_IP}&path=/video/1.mp4`;
  try {
    process.stdout.write(`wrk ${seconds} s per run, ${rounds} rounds, 1 thread, ${connectionsN} connections, GET /v1/decide/${APP_ID}?ip=${CLIENT_IP}\n`);
    for (const s of servers) await wrk(tool, ['-t1', `-c${connectionsN}`, '-d2s', url(s.port)]);
    for (let round = 1; round <= rounds; round++) {
      for (const s of servers) {
        const r = parse(await wrk(tool, ['-t1', `-c${connectionsN}`, `-d${seconds}s`, '--latency', url(s.port)]));
        runs.get(s.name)!.push(r);
        process.stdout.write(`round ${round}: ${s.name} ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}\n`);
      }
    }
  } finally {
    const stopped = await Promise.all(servers.map(stopChild));
    await ns.cleanup();
    if (runs.get(vane.name)!.length > 0) {
      printTable(
        `HTTP decide: Vane gateway (realistic app, decisions to Kafka) vs bare Fastify route (fixed JSON); ${connectionsN} connections; medians of ${rounds} rounds`,
        servers.map((s, i) => {
          const r = median(runs.get(s.name)!, (x) => x.rps);
          return { name: s.name, figures: { 'req/s': Math.round(r.rps), 'p50 ms': r.p50.toFixed(2), 'p90 ms': r.p90.toFixed(2), 'p99 ms': r.p99.toFixed(2), errors: r.errors, 'peak RSS': mib(stopped[i]!.maxRss) } };
        }),
      );
      const ratio = median(runs.get(vane.name)!, (x) => x.rps).rps / median(runs.get(bare.name)!, (x) => x.rps).rps;
      process.stdout.write(`\nthroughput ratio vane/bare: ${ratio.toFixed(2)} (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})\n`);
      process.stdout.write(`gateway: ${JSON.stringify(stopped[1]!.stats)}\n`);
    }
  }
  await decideBesideHostile(rounds);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:decide: ${error.message}\n`);
    process.exit(1);
  },
);
