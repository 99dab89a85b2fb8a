#!/usr/bin/env node
// `npm test`: install, type-check every workspace, run unit and integration
// tests (the integration project starts the local stack it needs and stops
// what it started), then print one closing line: "N passed, N failed".
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

  process.stderr.write('vane: type-checking every workspace (turbo run typecheck)…\n');
  const typecheck = spawnSync(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only', '--log-prefix=task'], { cwd: root, stdio: 'inherit', env });
  if (typecheck.status !== 0) {
    process.stderr.write('vane: type-check failed\n');
    process.stdout.write('0 passed, 1 failed\n');
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
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(jest.status === null ? 1 : jest.status);
}
