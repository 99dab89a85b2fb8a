import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Tools from Debian for the DNS tests and the decision benchmarks: dig
 * (bind9-dnsutils), kdig (knot-dnsutils), dnsperf, wrk. The system's binary when
 * installed; else the package and the libraries apt says are missing are
 * fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
 * $VANE_CACHE_DIR/debian-tools/<package>-<version>/ (nothing is installed
 * system-wide), and run with LD_LIBRARY_PATH pointing into it.
 */
export interface Tool {
  binary: string;
  env: Record<string, string>;
}

const TOOLS = {
  dig: { pkg: 'bind9-dnsutils', path: 'usr/bin/dig' },
  kdig: { pkg: 'knot-dnsutils', path: 'usr/bin/kdig' },
  dnsperf: { pkg: 'dnsperf', path: 'usr/bin/dnsperf' },
  wrk: { pkg: 'wrk', path: 'usr/bin/wrk' },
} as const;

export type ToolName = keyof typeof TOOLS;

function cacheDir(): string {
  return process.env.VANE_CACHE_DIR || join(homedir(), '.cache', 'vane');
}

function apt(args: string[], cwd?: string): string {
  return execFileSync('apt-get', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
}

function ensureLists(): void {
  const lists = '/var/lib/apt/lists';
  const present = existsSync(lists) && readdirSync(lists).some((f) => f.includes('_Packages'));
  if (present) return;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) throw new Error('apt package lists are missing and this is not root: run `apt-get update` first');
  apt(['update']);
}

function candidate(pkg: string): string {
  const policy = execFileSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const m = /Candidate:\s*(\S+)/.exec(policy);
  if (!m || m[1] === '(none)') throw new Error(`Debian has no package ${pkg} here (apt-cache policy ${pkg})`);
  return m[1]!;
}

/** The tool, unpacking its Debian package into the cache the first time. */
export function ensureTool(name: ToolName): Tool {
  const { pkg, path } = TOOLS[name];
  const system = join('/', path);
  if (existsSync(system)) return { binary: system, env: {} };
  ensureLists();
  const dir = join(cacheDir(), 'debian-tools', `${pkg}-${candidate(pkg).replace(/[^A-Za-z0-9.+~-]/g, '_')}`);
  const root = join(dir, 'root');
  if (!existsSync(join(dir, '.complete'))) {
    rmSync(dir, { recursive: true, force: true });
    const debs = join(dir, 'debs');
    mkdirSync(debs, { recursive: true });
    const simulated = apt(['-s', 'install', '--no-install-recommends', pkg]);
    const packages = [...simulated.matchAll(/^Inst (\S+)/gm)].map((m) => m[1]!);
    if (!packages.includes(pkg)) packages.push(pkg);
    apt(['download', ...packages], debs);
    const tmp = join(dir, 'root.tmp');
    mkdirSync(tmp, { recursive: true });
    for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(debs, deb), tmp]);
    renameSync(tmp, root);
    rmSync(debs, { recursive: true, force: true });
    writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  }
  const libs = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib', 'usr/lib']
    .map((d) => join(root, d))
    .filter(existsSync);
  return { binary: join(root, path), env: libs.length ? { LD_LIBRARY_PATH: [...libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {} };
}
