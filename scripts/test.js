#!/usr/bin/env node
// `npm test`: install, check the package layering and the declared
// dependencies (seconds; each check counts as one test), type-check every
// workspace, run unit and integration tests (the integration project starts
// the local stack it needs and stops what it started), then print one
// closing line: "N passed, N failed".
'use strict';
const { onSupportedNode } = require('./lib/node-runtime');

const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

onSupportedNode(main);

function main() {
  const { ensureInstalled, root } = require('./lib/bootstrap');

  ensureInstalled();
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
  const bin = (name) => join(root, 'node_modules', '.bin', name);

  // The checks run before anything slow, each reported by name.
  const checks = [
    { name: 'layering (npm run check:layers)', command: process.execPath, args: [join(root, 'scripts', 'lib', 'layering.js')] },
    { name: 'dependencies and exports (npm run check:deps: knip)', command: bin('knip'), args: ['--no-progress'] },
  ];
  let checksPassed = 0;
  let checksFailed = 0;
  for (const check of checks) {
    process.stderr.write(`vane: checking ${check.name}…\n`);
    const result = spawnSync(check.command, check.args, { cwd: root, stdio: 'inherit', env });
    if (result.status === 0) {
      checksPassed++;
      process.stderr.write(`vane: check passed: ${check.name}\n`);
    } else {
      checksFailed++;
      process.stderr.write(`vane: check failed: ${check.name}\n`);
    }
  }

  process.stderr.write('vane: type-checking every workspace (turbo run typecheck)…\n');
  const typecheck = spawnSync(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only', '--log-prefix=task'], { cwd: root, stdio: 'inherit', env });
  if (typecheck.status !== 0) {
    process.stderr.write('vane: type-check failed\n');
    process.stdout.write(`${checksPassed} passed, ${checksFailed + 1} failed\n`);
    process.exit(1);
  }

  const report = join(tmpdir(), `vane-jest-${process.pid}.json`);
  const args = ['--runInBand', '--forceExit', '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
  const jest = spawnSync(bin('jest'), args, { cwd: root, stdio: 'inherit', env });
  let passed = 0;
  let failed = jest.status === 0 ? 0 : 1;
  if (existsSync(report)) {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed = result.numPassedTests;
    failed = result.numFailedTests + (result.numRuntimeErrorTestSuites || 0);
    if (jest.status !== 0 && failed === 0) failed = 1;
    rmSync(report, { force: true });
  }
  process.stdout.write(`${passed + checksPassed} passed, ${failed + checksFailed} failed\n`);
  if (checksFailed > 0) process.stderr.write(`vane: ${checksFailed} check(s) failed before jest (see "check failed" above)\n`);
  process.exit(jest.status === null ? 1 : jest.status !== 0 ? jest.status : checksFailed > 0 ? 1 : 0);
}
