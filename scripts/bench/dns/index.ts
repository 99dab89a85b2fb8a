// DNS benchmark: dnsperf (Debian) against the Vane DNS gateway running a
// realistic app (best rtt above an availability floor, ECS-located client,
// decisions logged to Kafka) and, in the same run, against a bare dns2
// server answering a fixed CNAME. Two phases, each alternating the servers
// over rounds (medians: a 2-core machine is noisy):
//   throughput: as fast as they answer (-q outstanding queries);
//   latency:    both at the same fixed rate, half the bare server's throughput
//               (capped below the gateway's), every answer's latency (-v).
// Then the wire micro-benchmark (wire.ts) and, in process, the cost of
// malformed messages and the latency beside a hostile app (in-process.ts).
// Needs the local stack (npx vane infra up) for the decision log.
// Usage: npm run bench:dns -- [--seconds 8] [--rounds 3] [--outstanding 50]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wireBenchmark } from './wire';
import { dnsInProcess } from './in-process';
import { ensureTool, type Tool } from '@vane/test-support/debian-tools';
import { arg, mib, printTable } from '../lib/report';
import { median, startChild, stopChild } from './child-servers';
import { ZONE } from './routing-config';
import { benchNamespace } from '../lib/namespace';

interface Throughput {
  qps: number;
  completed: number;
  lost: number;
}

interface Latency {
  qps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  lost: number;
}

function dnsperf(tool: Tool, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool.binary, args, { env: { ...process.env, ...tool.env }, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`dnsperf failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function number(out: string, label: RegExp): number {
  const m = label.exec(out);
  if (!m) throw new Error(`dnsperf output lacks ${label}:\n${out.slice(-2000)}`);
  return Number(m[1]);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 'VANE_BENCH_SECONDS', 8);
  const rounds = arg('rounds', 'VANE_BENCH_ROUNDS', 3);
  const outstanding = arg('outstanding', 'VANE_BENCH_OUTSTANDING', 50);
  const tool = ensureTool('dnsperf');

  // Topics for the gateway's decision log, under a prefix of their own.
  const ns = await benchNamespace(['decisions.dns.v1']);
  const { naming } = ns;

  const dir = mkdtempSync(join(tmpdir(), 'vane-bench-dns-'));
  const queries = join(dir, 'queries.txt');
  writeFileSync(queries, [`www.${ZONE} A`, `video.${ZONE} A`, `a.img.${ZONE} AAAA`, `www.${ZONE} AAAA`, `b.img.${ZONE} A`].join('\n') + '\n');
  // EDNS Client Subnet 62.155.1.0/24 (Germany, AS3320) on every query: family 1, source 24, scope 0, 3 address bytes.
  const ecs = ['-E', '8:000118003e9b01'];
  const common = (port: number) => ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(seconds), ...ecs];

  const bare = await startChild('bare dns2', join(__dirname, 'bare-server.ts'), {});
  const vane = await startChild('vane dns gateway', join(__dirname, 'vane-server.ts'), { VANE_TOPIC_PREFIX: naming.prefix });
  const servers = [bare, vane];
  const throughput = new Map<string, Throughput[]>(servers.map((s) => [s.name, []]));
  let rate = 0;
  const latency = new Map<string, Latency[]>(servers.map((s) => [s.name, []]));
  try {
    process.stdout.write(`dnsperf ${seconds} s per run, ${rounds} rounds, ${outstanding} queries outstanding, ECS ${'62.155.1.0/24'}\n`);
    // Warm-up: JIT, GeoIP cache, the app's isolate.
    for (const s of servers) await dnsperf(tool, [...common(s.port), '-l', '2', '-q', String(outstanding)]);
    for (let round = 1; round <= rounds; round++) {
      for (const s of servers) {
        const out = await dnsperf(tool, [...common(s.port), '-q', String(outstanding), '-c', '2']);
        const t = { qps: number(out, /Queries per second:\s+([\d.]+)/), completed: number(out, /Queries completed:\s+(\d+)/), lost: number(out, /Queries lost:\s+(\d+)/) };
        throughput.get(s.name)!.push(t);
        process.stdout.write(`throughput round ${round}: ${s.name} ${Math.round(t.qps)} q/s (lost ${t.lost})\n`);
      }
    }
    const bareQps = median(throughput.get(bare.name)!, (t) => t.qps).qps;
    const vaneQps = median(throughput.get(vane.name)!, (t) => t.qps).qps;
    rate = Math.max(100, Math.round(Math.min(0.5 * bareQps, 0.8 * vaneQps)));
    for (let round = 1; round <= rounds; round++) {
      for (const s of servers) {
        const out = await dnsperf(tool, [...common(s.port), '-Q', String(rate), '-q', String(outstanding), '-v']);
        const samples = [...out.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000).sort((a, b) => a - b);
        const l = { qps: number(out, /Queries per second:\s+([\d.]+)/), p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), max: samples[samples.length - 1] ?? 0, lost: number(out, /Queries lost:\s+(\d+)/) };
        latency.get(s.name)!.push(l);
        process.stdout.write(`latency round ${round} at ${rate} q/s: ${s.name} p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms\n`);
      }
    }
  } finally {
    const stopped = await Promise.all(servers.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
    await ns.cleanup();
    const rows = servers.map((s, i) => {
      const t = median(throughput.get(s.name)!, (x) => x.qps);
      const l = median(latency.get(s.name)!, (x) => x.p99);
      return {
        name: s.name,
        figures: {
          'queries/s': Math.round(t.qps),
          lost: t.lost,
          'p50 ms': l.p50.toFixed(2),
          'p90 ms': l.p90.toFixed(2),
          'p99 ms': l.p99.toFixed(2),
          'max ms': l.max.toFixed(2),
          'peak RSS': mib(stopped[i]!.maxRss),
        },
      };
    });
    if (rows.every((r) => r.figures['queries/s'] !== undefined) && throughput.get(bare.name)!.length > 0 && latency.get(vane.name)!.length > 0) {
      printTable(`DNS: Vane gateway (realistic app, decisions to Kafka) vs bare dns2 (fixed answer); throughput at ${outstanding} outstanding, latency at ${rate} q/s; medians of ${rounds} rounds`, rows);
      const ratio = median(throughput.get(vane.name)!, (x) => x.qps).qps / median(throughput.get(bare.name)!, (x) => x.qps).qps;
      const p99 = median(latency.get(vane.name)!, (x) => x.p99).p99;
      process.stdout.write(`\nthroughput ratio vane/bare: ${ratio.toFixed(2)} (target ≥ 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'}); gateway p99 ${p99.toFixed(2)} ms (target < 5 ms: ${p99 < 5 ? 'met' : 'NOT met'})\n`);
      process.stdout.write(`gateway: ${JSON.stringify(stopped[1]!.stats)}\n`);
    }
  }
  wireBenchmark();
  await dnsInProcess(rounds);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:dns: ${error.message}\n`);
    process.exit(1);
  },
);
