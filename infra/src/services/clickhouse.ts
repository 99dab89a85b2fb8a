import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from '../maven';
import { httpGet } from '../probe';
import type { LaunchCommand, ServiceContext, ServiceDefinition } from '../service';

/**
 * ClickHouse from Debian's `clickhouse-server` package (18.16.1 on bookworm).
 *
 * Nothing is installed system-wide and the Debian system service is never
 * started: install() asks apt which packages a `clickhouse-server` +
 * `clickhouse-client` install would add to this machine (`apt-get -s install`,
 * so libraries already present are not fetched again), fetches those .deb
 * files with `apt-get download` into <cache>/clickhouse-<version>/debs and
 * unpacks them with `dpkg-deb -x` into <cache>/clickhouse-<version>/root. The
 * server runs from there with LD_LIBRARY_PATH pointing at the unpacked
 * libraries and a config written by prepare().
 *
 * When apt is not usable (another distribution, no package lists and no root),
 * a `clickhouse-server` (Debian layout) or `clickhouse` (upstream multi-tool)
 * binary on the PATH is used instead. VANE_CLICKHOUSE_BIN forces a binary.
 *
 * 18.16 is old: no DateTime64, Map, JSON, Bool, IPv4/IPv6, TTL, CODEC,
 * skipping indexes, query parameters ({x:Type}), JSONCompactEachRow, CTEs or
 * window functions; LowCardinality only behind an experimental setting. Server
 * errors reach `@clickhouse/client` as plain Errors (no code/type fields: the
 * message reads `Code: 60, e.displayText() = DB::Exception: …`).
 */

const PACKAGES = ['clickhouse-server', 'clickhouse-client'];
const SERVER_BINARY = join('usr', 'sbin', 'clickhouse-server');
const COMPLETE = '.complete';

interface Binary {
  command: string;
  /** Leading arguments, e.g. ['server'] for the upstream multi-tool binary. */
  args: string[];
  /** Extra library directories (for an unpacked package tree). */
  libDirs: string[];
}

function installDirs(cacheDir: string): string[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir)
    .filter((name) => /^clickhouse-\d/.test(name) && existsSync(join(cacheDir, name, COMPLETE)))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((name) => join(cacheDir, name));
}

/** Every directory under `root` that directly holds a shared library. */
function libraryDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => /\.so(\.|$)/.test(e.name) && !e.isDirectory())) found.push(dir);
    if (depth < 2) for (const e of entries) if (e.isDirectory() && !/plugin/.test(e.name)) walk(join(dir, e.name), depth + 1);
  };
  for (const top of ['lib', 'usr/lib']) walk(join(root, top), 0);
  return found;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  for (const dir of ['/usr/sbin', '/usr/bin']) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function systemBinary(): Binary | null {
  const debian = onPath('clickhouse-server');
  if (debian) return { command: debian, args: [], libDirs: [] };
  const upstream = onPath('clickhouse');
  if (upstream) return { command: upstream, args: ['server'], libDirs: [] };
  return null;
}

function resolveBinary(ctx: ServiceContext): Binary | null {
  const forced = process.env.VANE_CLICKHOUSE_BIN;
  if (forced) return { command: forced, args: /clickhouse$/.test(forced) ? ['server'] : [], libDirs: [] };
  for (const dir of installDirs(ctx.cacheDir)) {
    const root = join(dir, 'root');
    const server = join(root, SERVER_BINARY);
    if (existsSync(server)) return { command: server, args: [], libDirs: libraryDirs(root) };
  }
  return systemBinary();
}

function libraryEnv(libDirs: string[]): Record<string, string> {
  if (libDirs.length === 0) return {};
  const inherited = process.env.LD_LIBRARY_PATH;
  return { LD_LIBRARY_PATH: [...libDirs, ...(inherited ? [inherited] : [])].join(delimiter) };
}

/** Shared libraries the binary cannot find (ldd), empty when it would start. */
function missingLibraries(binary: Binary): string[] {
  try {
    const out = execFileSync('ldd', [binary.command], {
      env: { ...process.env, ...libraryEnv(binary.libDirs) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out
      .split('\n')
      .filter((line) => line.includes('not found'))
      .map((line) => line.trim().split(/\s+/)[0]);
  } catch {
    return []; // no ldd, or a static binary: let the start tell
  }
}

/** The Debian 18.x build links libclickhouse.so.18.*; upstream builds are one static binary. */
function isDebian18(binary: Binary): boolean {
  if (binary.libDirs.length > 0) return /\/clickhouse-18\./.test(binary.command);
  try {
    const out = execFileSync('ldd', [binary.command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.includes('libclickhouse.so.18');
  } catch {
    return false;
  }
}

function candidateVersion(output: string): string | null {
  const match = /Candidate:\s*(\S+)/.exec(output);
  return match && match[1] !== '(none)' ? match[1] : null;
}

/**
 * Runs `apt-get update` (as root, or through passwordless sudo); false when
 * neither is possible.
 */
async function aptUpdate(log: (m: string) => void, why: string): Promise<boolean> {
  const root = typeof process.getuid !== 'function' || process.getuid() === 0;
  if (!root && !(hasCommand('sudo') && (await run('sudo', ['-n', 'true']).then(() => true, () => false)))) return false;
  log(`clickhouse: ${why}; running apt-get update…`);
  if (root) await run('apt-get', ['update', '-q']);
  else await run('sudo', ['-n', 'apt-get', 'update', '-q']);
  return true;
}

async function aptCandidate(log: (m: string) => void): Promise<string | null> {
  const version = candidateVersion(await run('apt-cache', ['policy', 'clickhouse-server']));
  if (version) return version;
  if (!(await aptUpdate(log, 'apt knows no clickhouse-server package (package lists missing?)'))) return null;
  return candidateVersion(await run('apt-cache', ['policy', 'clickhouse-server']));
}

/** Packages (name=version) that installing PACKAGES would add to this machine. */
async function packagesToFetch(): Promise<string[]> {
  const out = await run('apt-get', ['-s', '-q', 'install', '--no-install-recommends', ...PACKAGES]);
  const pkgs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+)/.exec(line);
    if (m) pkgs.push(`${m[1]}=${m[2]}`);
  }
  if (!pkgs.some((p) => p.startsWith('clickhouse-server='))) {
    // Already installed system-wide: fetch the ClickHouse packages themselves anyway.
    const version = candidateVersion(await run('apt-cache', ['policy', 'clickhouse-server']));
    for (const name of ['clickhouse-server', 'clickhouse-common', 'clickhouse-client']) {
      if (!pkgs.some((p) => p.startsWith(`${name}=`))) pkgs.push(version ? `${name}=${version}` : name);
    }
  }
  return pkgs;
}

async function installFromApt(ctx: ServiceContext, version: string): Promise<void> {
  const dir = join(ctx.cacheDir, `clickhouse-${version.replace(/[^A-Za-z0-9.+~-]/g, '_')}`);
  if (existsSync(join(dir, COMPLETE))) {
    const binary: Binary = { command: join(dir, 'root', SERVER_BINARY), args: [], libDirs: libraryDirs(join(dir, 'root')) };
    const missing = missingLibraries(binary);
    if (missing.length === 0) return;
    ctx.log(`clickhouse: cached install in ${dir} misses ${missing.join(', ')}; fetching again…`);
    rmSync(dir, { recursive: true, force: true });
  }
  const started = Date.now();
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const debs = join(work, 'debs');
  const root = join(work, 'root');
  mkdirSync(debs, { recursive: true });
  mkdirSync(root, { recursive: true });
  let pkgs = await packagesToFetch();
  ctx.log(`clickhouse: downloading ${pkgs.length} Debian packages (clickhouse-server ${version}, first run only)…`);
  try {
    await run('apt-get', ['download', '-q', ...pkgs], { cwd: debs });
  } catch (error) {
    // Stale package lists name files the archive no longer has: refresh once and retry.
    if (!(await aptUpdate(ctx.log, 'apt-get download failed'))) throw error;
    for (const f of readdirSync(debs)) rmSync(join(debs, f), { force: true });
    pkgs = await packagesToFetch();
    await run('apt-get', ['download', '-q', ...pkgs], { cwd: debs });
  }
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    await run('dpkg-deb', ['-x', join(debs, deb), root]);
  }
  const binary: Binary = { command: join(root, SERVER_BINARY), args: [], libDirs: libraryDirs(root) };
  if (!existsSync(binary.command)) throw new Error(`clickhouse: ${SERVER_BINARY} not found after unpacking into ${root}`);
  const missing = missingLibraries(binary);
  if (missing.length > 0) throw new Error(`clickhouse: unpacked server misses shared libraries: ${missing.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  writeFileSync(join(dir, COMPLETE), `${new Date().toISOString()}\n${pkgs.join('\n')}\n`);
  ctx.log(`clickhouse: unpacked into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function hasCommand(name: string): boolean {
  return onPath(name) !== null;
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function dirPath(path: string): string {
  return xmlEscape(path.endsWith('/') ? path : `${path}/`);
}

/** Poco logger level; warning keeps the log to problems (information adds a line per query). */
function logLevel(): string {
  const level = process.env.VANE_CLICKHOUSE_LOG_LEVEL ?? 'warning';
  if (!/^(none|fatal|critical|error|warning|notice|information|debug|trace)$/.test(level)) {
    throw new Error(`VANE_CLICKHOUSE_LOG_LEVEL=${level}: expected one of error, warning, information, debug, trace`);
  }
  return level;
}

function configXml(ctx: ServiceContext): string {
  const d = ctx.dataDir;
  return `<?xml version="1.0"?>
<!-- Written by Vane infra (services/clickhouse.ts) on every start; edits are lost. -->
<yandex>
    <logger>
        <level>${logLevel()}</level>
        <log>${xmlEscape(join(ctx.logDir, 'clickhouse-server.log'))}</log>
        <errorlog>${xmlEscape(join(ctx.logDir, 'clickhouse-server.err.log'))}</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>

    <listen_host>127.0.0.1</listen_host>
    <http_port>${ctx.ports.http}</http_port>
    <tcp_port>${ctx.ports.tcp}</tcp_port>
    <!-- No interserver_http_port: a single node, no replication. -->

    <max_connections>1024</max_connections>
    <keep_alive_timeout>10</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>

    <!-- Small caches: this is a development instance. -->
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>134217728</mark_cache_size>

    <path>${dirPath(d)}</path>
    <tmp_path>${dirPath(join(d, 'tmp'))}</tmp_path>
    <user_files_path>${dirPath(join(d, 'user_files'))}</user_files_path>
    <format_schema_path>${dirPath(join(d, 'format_schemas'))}</format_schema_path>

    <users_config>users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <!-- DateTime text form is the same on every machine. -->
    <timezone>UTC</timezone>
    <umask>022</umask>
    <mlock_executable>false</mlock_executable>

    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>

    <!-- Only filled for queries run with log_queries = 1. -->
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>7500</flush_interval_milliseconds>
    </query_log>

    <!-- Tests drop tables of any size. -->
    <max_table_size_to_drop>0</max_table_size_to_drop>
    <max_partition_size_to_drop>0</max_partition_size_to_drop>
</yandex>
`;
}

/**
 * Profile settings that exist only on the 18.x line (renamed or moved later); a
 * newer fallback binary gets none of them.
 */
function legacyProfileSettings(): string {
  return `
            <!-- Merge threads (default 16): keep merges gentle on a small machine. -->
            <background_pool_size>4</background_pool_size>
            <!-- JSONEachRow rows that omit a column get its DEFAULT expression, not the type's zero,
                 as on ClickHouse >= 19.12 (input_format_defaults_for_omitted_fields). -->
            <insert_sample_with_metadata>1</insert_sample_with_metadata>`;
}

function usersXml(legacy: boolean): string {
  return `<?xml version="1.0"?>
<!-- Written by Vane infra (services/clickhouse.ts) on every start; edits are lost. -->
<yandex>
    <profiles>
        <default>
            <!-- 2 GB per query: gentle on a laptop. -->
            <max_memory_usage>2000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>${legacy ? legacyProfileSettings() : ''}
            <load_balancing>random</load_balancing>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>

    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>

    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`;
}

export const clickhouse: ServiceDefinition = {
  name: 'clickhouse',
  description: "ClickHouse (Debian's clickhouse-server 18.16, unpacked into the cache)",
  ports: [
    { name: 'http', env: 'VANE_CLICKHOUSE_PORT', default: 8123 },
    { name: 'tcp', env: 'VANE_CLICKHOUSE_TCP_PORT', default: 9000 },
  ],
  startTimeoutSeconds: 60,

  async install(ctx) {
    if (process.env.VANE_CLICKHOUSE_BIN) return;
    // An unpacked tree whose libraries all resolve is reused without asking apt.
    const cached = resolveBinary(ctx);
    if (cached && cached.libDirs.length > 0 && missingLibraries(cached).length === 0) return;
    mkdirSync(ctx.cacheDir, { recursive: true });
    let aptError: unknown = null;
    if (hasCommand('apt-get') && hasCommand('dpkg-deb')) {
      try {
        const version = await aptCandidate(ctx.log);
        if (version) return await installFromApt(ctx, version);
        aptError = new Error('apt has no clickhouse-server package (and could not run apt-get update)');
      } catch (error) {
        aptError = error;
      }
    } else {
      aptError = new Error('apt-get/dpkg-deb not available');
    }
    if (installDirs(ctx.cacheDir).length > 0) return; // an earlier unpacked version still works
    const system = systemBinary();
    if (system) {
      ctx.log(`clickhouse: using ${system.command} (${aptError instanceof Error ? aptError.message.split('\n')[0] : ''})`);
      return;
    }
    throw new Error(
      `clickhouse: cannot install: ${aptError instanceof Error ? aptError.message : String(aptError)}. ` +
        'Install clickhouse-server with your package manager, or set VANE_CLICKHOUSE_BIN.',
    );
  },

  async prepare(ctx) {
    for (const dir of [ctx.confDir, ctx.logDir, ctx.dataDir, ...['tmp', 'user_files', 'format_schemas'].map((s) => join(ctx.dataDir, s))]) {
      mkdirSync(dir, { recursive: true });
    }
    writeFileSync(join(ctx.confDir, 'config.xml'), configXml(ctx));
    const binary = resolveBinary(ctx);
    writeFileSync(join(ctx.confDir, 'users.xml'), usersXml(binary === null || isDebian18(binary)));
  },

  launch(ctx): LaunchCommand {
    const binary = resolveBinary(ctx);
    if (!binary) throw new Error('clickhouse: no server binary; run install first');
    return {
      command: binary.command,
      args: [...binary.args, `--config-file=${join(ctx.confDir, 'config.xml')}`],
      env: libraryEnv(binary.libDirs),
      cwd: ctx.stateDir,
    };
  },

  async healthy(ctx) {
    const res = await httpGet(ctx.ports.http, '/ping', 2000);
    return res !== null && res.status === 200 && res.body.trim() === 'Ok.';
  },
};
