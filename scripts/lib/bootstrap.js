// Runs before dependencies exist (plain Node, no packages): makes sure
// `npm install` has been run for the current lockfile and package manifests.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..', '..');

function manifests() {
  const files = [join(root, 'package.json'), join(root, 'package-lock.json')];
  for (const group of ['core', 'schemas', 'topics', 'lib', 'infra', 'processors', 'gateways', 'scripts']) {
    const dir = join(root, group);
    if (existsSync(join(dir, 'package.json'))) files.push(join(dir, 'package.json'));
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json'))) files.push(join(dir, entry.name, 'package.json'));
    }
  }
  return files.filter((f) => existsSync(f)).sort();
}

function stamp() {
  const hash = createHash('sha256');
  hash.update(process.version);
  for (const f of manifests()) hash.update(f).update(readFileSync(f));
  return hash.digest('hex');
}

/** Installs dependencies when the manifests changed since the last install. */
function ensureInstalled() {
  const stampFile = join(root, 'node_modules', '.vane-install-stamp');
  const wanted = stamp();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted) return;
  process.stderr.write('vane: installing dependencies (npm install)…\n');
  // `npm install` rather than `npm ci`: it keeps a warm node_modules and
  // tolerates a lockfile that lags a workspace manifest.
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`vane: npm install failed with status ${result.status}\n`);
    process.exit(result.status || 1);
  }
  writeFileSync(stampFile, stamp());
}

module.exports = { ensureInstalled, root };
