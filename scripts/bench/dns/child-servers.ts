// Servers under benchmark run in child processes (their peak RSS is theirs
// alone, and the load generator never shares their event loop): a child
// sends {port} once listening, and {maxRss, stats?} when told 'stop'.
import { fork, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  name: string;
  child: ChildProcess;
  port: number;
}

export interface Stopped {
  maxRss: number;
  stats?: unknown;
}

/** Forks `script` (TypeScript, through tsx); VANE_BENCH_PROF=<dir> adds a CPU profile. */
export function startChild(name: string, script: string, env: Record<string, string>): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const prof = process.env.VANE_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.VANE_BENCH_PROF}`] : [];
    const child = fork(script, [], { execArgv: ['--require', 'tsx/cjs', ...prof], env: { ...process.env, ...env } });
    child.once('message', (m) => resolve({ name, child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

export function stopChild(server: ChildServer): Promise<Stopped> {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.once('message', (m) => resolve(m as Stopped));
    server.child.once('exit', () => resolve({ maxRss: 0 }));
    server.child.send('stop');
  });
}

export const median = <T>(values: T[], by: (v: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]!;
