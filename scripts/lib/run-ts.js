#!/usr/bin/env node
// `node scripts/lib/run-ts.js <entry.ts> [args…]`: runs a TypeScript entry
// (the benchmarks) through tsx on Node.js >= 22 (see node-runtime.js), after
// making sure dependencies are installed for that Node.
'use strict';
const { resolve } = require('node:path');
const { onSupportedNode } = require('./node-runtime');

onSupportedNode(() => {
  const { ensureInstalled, root } = require('./bootstrap');
  const entry = process.argv[2];
  if (!entry) {
    process.stderr.write('usage: node scripts/lib/run-ts.js <entry.ts> [args…]\n');
    process.exit(2);
  }
  ensureInstalled();
  require(require.resolve('tsx/cjs', { paths: [root] }));
  // The entry sees itself as argv[1], its own arguments from argv[2] on.
  process.argv.splice(1, 2, resolve(entry));
  require(resolve(entry));
});
