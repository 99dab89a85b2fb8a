import { middle, percentile, printTable } from './report';

/** Latency figures (ms) of one set of calls. */
export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
}

function figures(ms: number[]): Latencies {
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
}

async function timed(call: () => Promise<unknown>, samples: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    await call();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

/**
 * Latency of `good` calls one after another, alone (the baseline) and while
 * `hammers` loops call `hostile` back to back (an app that loops to its
 * time limit), in alternating rounds; medians of the rounds' percentiles.
 */
export async function besideHostile(good: () => Promise<unknown>, hostile: () => Promise<unknown>, options: { rounds: number; samples: number; hammers: number }): Promise<{ alone: Latencies; beside: Latencies; hostileCalls: number }> {
  await timed(good, options.samples); // warm-up
  const alone: Latencies[] = [];
  const beside: Latencies[] = [];
  let hostileCalls = 0;
  for (let round = 0; round < options.rounds; round++) {
    alone.push(figures(await timed(good, options.samples)));
    let stop = false;
    const hammers = Array.from({ length: options.hammers }, async () => {
      while (!stop) {
        await hostile();
        hostileCalls++;
      }
    });
    beside.push(figures(await timed(good, options.samples)));
    stop = true;
    await Promise.all(hammers);
  }
  const med = (all: Latencies[]): Latencies => ({ p50: middle(all.map((l) => l.p50)), p95: middle(all.map((l) => l.p95)), p99: middle(all.map((l) => l.p99)) });
  return { alone: med(alone), beside: med(beside), hostileCalls };
}

/**
 * Prints the two rows and how they compare with the figures the tests once
 * asserted: beside the looping app, p50 within max(5 × alone, 10 ms) and p95
 * under 25 ms (queued behind the app's 50 ms time limit, they would be 50 ms or more).
 */
export function printBesideHostile(title: string, r: { alone: Latencies; beside: Latencies; hostileCalls: number }): void {
  const row = (name: string, l: Latencies) => ({ name, figures: { 'p50 ms': l.p50.toFixed(3), 'p95 ms': l.p95.toFixed(3), 'p99 ms': l.p99.toFixed(3) } });
  printTable(title, [row('alone (baseline)', r.alone), row(`beside a looping app (${r.hostileCalls} of its calls)`, r.beside)]);
  const p50Met = r.beside.p50 < Math.max(5 * r.alone.p50, 10);
  const p95Met = r.beside.p95 < 25;
  process.stdout.write(`beside/alone p50 ratio ${(r.beside.p50 / Math.max(r.alone.p50, 1e-6)).toFixed(2)} (target p50 < max(5 × alone, 10 ms): ${p50Met ? 'met' : 'NOT met'}); p95 ${r.beside.p95.toFixed(2)} ms (target < 25 ms: ${p95Met ? 'met' : 'NOT met'})\n`);
}
