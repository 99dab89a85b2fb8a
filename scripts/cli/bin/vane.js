#!/usr/bin/env node
// The `vane` command: TypeScript sources run through tsx's CommonJS loader.
require('tsx/cjs');
require('../src/main.ts').run();
