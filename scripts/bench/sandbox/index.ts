// Sandbox benchmark: the figures behind gateways/apps/test/sandbox.test.ts,
// in process, on the realistic app (best rtt above an availability floor).
// 1. A good app's run alone (the baseline) and beside a looping app kept
//    busy by two callers, once on its own isolate thread and once on the
//    event loop (an app with a clean record, SandboxLimits.syncAfter).
// 2. How long each kind of failure takes to become a fallback answer, beside
//    the time limit that should bound it: a loop, memory bombs, the
//    quarantine, the one stall of an app on the event loop, and a timer's
//    delay while an app loops off the loop.
// Usage: npm run bench:sandbox -- [--rounds 3] [--samples 300]
import { AppSandbox, initConfigOf, staticsOf, testRequest, type AppProvider, type SandboxLimits } from '@vane/apps';
import { appSource } from '../dns/routing-config';
import { besideHostile, printBesideHostile } from '../lib/hostile-neighbour';
import { arg, middle, printTable } from '../lib/report';

const providers: AppProvider[] = [
  { id: 'cdn-a', name: 'CDN A', cname: 'bench.cdn-a.net', addresses: [], url: 'https://bench.cdn-a.net' },
  { id: 'cdn-b', name: 'CDN B', cname: 'bench.cdn-b.net', addresses: [], url: null },
  { id: 'origin', name: 'Origin', cname: 'origin.bench.example', addresses: [], url: 'https://origin.bench.example' },
];
const settings = { availabilityFloor: 0.8 };
const base: Partial<SandboxLimits> = { timeoutMs: 50, memoryMb: 16, maxFailures: 1_000_000 };

function load(source: string, appId: string, limits: Partial<SandboxLimits> = {}): Promise<AppSandbox> {
  return AppSandbox.load({ appId, version: 1, source }, initConfigOf({ appId, version: 1, providers, settings }), { stamp: 's1', json: JSON.stringify(staticsOf({ providers, settings }, {})) }, { limits: { ...base, ...limits } });
}

function request(hostname = 'www.bench-cdn.example'): string {
  return JSON.stringify(
    testRequest({ hostname, scores: { 'cdn-a': { rttP50: 40, availability: 0.99 }, 'cdn-b': { rttP50: 25, availability: 0.97 } } }, { id: 'bench.app', version: 1 }),
  );
}

async function mustAnswer(app: AppSandbox): Promise<void> {
  const outcome = await app.run(request());
  if (!outcome.ok) throw new Error(`the good app failed: ${outcome.reason} ${outcome.error}`);
}

/** Wall ms of `times` calls of one failing request, each with its reason. */
async function failures(app: AppSandbox, hostname: string, times: number): Promise<{ ms: number[]; reasons: Set<string> }> {
  const ms: number[] = [];
  const reasons = new Set<string>();
  for (let i = 0; i < times; i++) {
    const t = process.hrtime.bigint();
    const outcome = await app.run(request(hostname));
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    reasons.add(outcome.ok ? 'answered' : outcome.reason);
  }
  return { ms, reasons };
}

const hostileSource = `function onRequest(req, res) {
  if (req.hostname === 'loop.example') while (true) {}
  if (req.hostname === 'bomb.example') { var hoard = []; while (true) hoard.push(new Array(4e6).fill(hoard.length)); }
  if (req.hostname === 'slow-bomb.example') { var heap = []; while (true) heap.push({ n: heap.length, s: 'x' + heap.length }); }
  res.respond('cdn-a');
}`;

async function isolation(rounds: number, samples: number): Promise<void> {
  const looping = await load('function onRequest() { while (true) {} }', 'bench.loop');
  for (const [mode, limits] of [['on its own isolate thread', { syncAfter: 0 }], ['on the event loop', { syncAfter: 1 }]] as const) {
    const good = await load(appSource, 'bench.good', limits);
    try {
      const r = await besideHostile(() => mustAnswer(good), () => looping.run(request()), { rounds, samples, hammers: 2 });
      printBesideHostile(`Sandbox: a good app's run ${mode} (runs on the loop: ${good.runsOnLoop}), alone and beside a looping app (2 callers, 50 ms limit); ${samples} runs per round, medians of ${rounds} rounds`, r);
    } finally {
      good.dispose();
    }
  }
  looping.dispose();
}

async function deadlines(rounds: number): Promise<void> {
  const times = Math.max(3, rounds);
  const rows = [];
  const hostile = await load(hostileSource, 'bench.hostile');
  try {
    for (const hostname of ['loop.example', 'bomb.example', 'slow-bomb.example']) {
      const r = await failures(hostile, hostname, times);
      rows.push({ name: hostname.replace('.example', ''), figures: { 'median ms': middle(r.ms).toFixed(1), 'max ms': Math.max(...r.ms).toFixed(1), 'time limit': '50 ms', deadline: '100 ms', outcome: [...r.reasons].join('/') } });
    }
  } finally {
    hostile.dispose();
  }

  // Quarantine: after maxFailures hard failures, answered without running.
  const quarantined = await load(hostileSource, 'bench.quarantine', { timeoutMs: 20, maxFailures: 2, quarantineMs: 60_000 });
  try {
    await failures(quarantined, 'loop.example', 2);
    const r = await failures(quarantined, 'fine.example', 1000);
    rows.push({ name: 'quarantined', figures: { 'median ms': middle(r.ms).toFixed(4), 'max ms': Math.max(...r.ms).toFixed(3), 'time limit': '20 ms', deadline: '40 ms', outcome: [...r.reasons].join('/') } });
  } finally {
    quarantined.dispose();
  }

  // The one stall of an app on the event loop (time limit 30 ms), then a 10 ms timer while it loops off the loop.
  const stalls: number[] = [];
  const delays: number[] = [];
  for (let i = 0; i < times; i++) {
    const app = await load(hostileSource, `bench.onloop${i}`, { timeoutMs: 30, syncAfter: 3 });
    try {
      for (let k = 0; k < 3; k++) await app.run(request());
      if (!app.runsOnLoop) throw new Error('the app did not move onto the event loop');
      let t = process.hrtime.bigint();
      await Promise.all([app.run(request('loop.example')), app.run(request())]);
      stalls.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      const [, fired] = await Promise.all([app.run(request('loop.example')), new Promise<number>((r) => setTimeout(() => r(Number(process.hrtime.bigint() - t) / 1e6), 10))]);
      delays.push(fired);
    } finally {
      app.dispose();
    }
  }
  rows.push({ name: 'stall on the event loop', figures: { 'median ms': middle(stalls).toFixed(1), 'max ms': Math.max(...stalls).toFixed(1), 'time limit': '30 ms', deadline: '–', outcome: 'app_timeout' } });
  rows.push({ name: '10 ms timer, loop off the loop', figures: { 'median ms': middle(delays).toFixed(1), 'max ms': Math.max(...delays).toFixed(1), 'time limit': '30 ms', deadline: '–', outcome: 'fired' } });
  printTable(`Sandbox: from a hostile request to its fallback answer (wall time, ${times} calls each)`, rows);
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 'VANE_BENCH_ROUNDS', 3);
  const samples = arg('samples', 'VANE_BENCH_SAMPLES', 300);
  await isolation(rounds, samples);
  await deadlines(rounds);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:sandbox: ${error.message}\n`);
    process.exit(1);
  },
);
