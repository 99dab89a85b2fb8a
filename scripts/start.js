#!/usr/bin/env node
// `npm start`: install, bring the local stack up, apply topics and schemas,
// run the platform in the foreground; Ctrl-C stops what this started.
'use strict';
const { onSupportedNode } = require('./lib/node-runtime');

onSupportedNode(() => {
  const { ensureInstalled, root } = require('./lib/bootstrap');
  ensureInstalled();
  require(require.resolve('tsx/cjs', { paths: [root] }));
  require('@vane/cli/platform')
    .start(process.env)
    .catch((error) => {
      process.stderr.write(`vane: ${error && error.code ? `${error.code}: ` : ''}${error && error.message ? error.message : error}\n`);
      process.exit(1);
    });
});
