#!/usr/bin/env node
// The `vane` command: on Node.js >= 22 (the machine's own, or Node.js 24
// fetched into the cache; see scripts/lib/node-runtime.js), TypeScript
// sources run through tsx's CommonJS loader.
'use strict';
const { onSupportedNode } = require('../../lib/node-runtime');

onSupportedNode(() => {
  require('../../lib/bootstrap').ensureInstalled();
  require('tsx/cjs');
  const { run } = require('../src/main.ts');
  run();
});
