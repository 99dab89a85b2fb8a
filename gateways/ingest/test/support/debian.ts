import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian packages the integration tests need (nginx, chromium), installed on
 * a fresh machine the way infra/ installs ClickHouse: from Debian's archive
 * with the ordinary apt tools, nothing downloaded any other way.
 *
 * - nginx: unpacked (apt-get download + dpkg-deb -x, with the libraries apt
 *   says are missing) into $VANE_CACHE_DIR/nginx-<version>/root, so no
 *   system service is installed or started; or /usr/sbin/nginx when present.
 * - chromium: `apt-get install -y chromium` as root (it has too many
 *   dependencies to run unpacked); or /usr/bin/chromium when present.
 */
function cacheDir(): string {
  return process.env.VANE_CACHE_DIR || join(homedir(), '.cache', 'vane');
}

function apt(args: string[], options: { cwd?: string } = {}): string {
  return execFileSync('apt-get', args, { cwd: options.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** apt-get update once, when the package lists are missing. */
function ensureLists(): void {
  const lists = '/var/lib/apt/lists';
  const present = existsSync(lists) && readdirSync(lists).some((f) => f.endsWith('_Packages') || f.includes('_Packages.'));
  if (!present) {
    if (!isRoot()) throw new Error('apt package lists are missing and this is not root: run `apt-get update` first');
    apt(['update']);
  }
}

function candidateVersion(pkg: string): string {
  const policy = execFileSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const m = /Candidate:\s*(\S+)/.exec(policy);
  if (!m || m[1] === '(none)') throw new Error(`Debian has no package ${pkg} here (apt-cache policy ${pkg})`);
  return m[1]!;
}

export interface Unpacked {
  binary: string;
  env: Record<string, string>;
}

/** nginx to run as a plain process: the system one, or one unpacked into the cache. */
export function ensureNginx(): Unpacked {
  if (existsSync('/usr/sbin/nginx')) return { binary: '/usr/sbin/nginx', env: {} };
  ensureLists();
  const version = candidateVersion('nginx').replace(/[^A-Za-z0-9.+~-]/g, '_');
  const dir = join(cacheDir(), `nginx-${version}`);
  const root = join(dir, 'root');
  if (!existsSync(join(dir, '.complete'))) {
    rmSync(dir, { recursive: true, force: true });
    const debs = join(dir, 'debs');
    mkdirSync(debs, { recursive: true });
    // What an install would add to this machine (nginx and the libraries it lacks).
    const simulated = apt(['-s', 'install', '--no-install-recommends', 'nginx']);
    const packages = [...simulated.matchAll(/^Inst (\S+)/gm)].map((m) => m[1]!);
    if (!packages.includes('nginx')) packages.push('nginx');
    apt(['download', ...packages], { cwd: debs });
    const tmp = join(dir, 'root.tmp');
    mkdirSync(tmp, { recursive: true });
    for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(debs, deb), tmp]);
    renameSync(tmp, root);
    writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  }
  const libDirs = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib', 'usr/lib'].map((d) => join(root, d)).filter(existsSync);
  return { binary: join(root, 'usr', 'sbin', 'nginx'), env: libDirs.length ? { LD_LIBRARY_PATH: libDirs.join(':') } : {} };
}

/** Debian's chromium (installing it with apt when missing). */
export function ensureChromium(): string {
  const binary = '/usr/bin/chromium';
  if (existsSync(binary)) return binary;
  if (!isRoot()) throw new Error('chromium is not installed and this is not root: run `apt-get install -y chromium`');
  ensureLists();
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(binary)) throw new Error('apt-get install chromium did not provide /usr/bin/chromium');
  return binary;
}

/** Flags for headless Chromium in a container without a GPU or network. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
