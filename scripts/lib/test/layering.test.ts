import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Plain CommonJS (npm test runs it before jest); typed here by hand.
interface Finding {
  file: string;
  line?: number;
  specifier?: string;
  rule: string;
  message: string;
}
interface Pending {
  from: string;
  to: string;
  why: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const layering = require('../layering.js') as {
  checkLayers(root: string, options?: { files?: string[]; pending?: Pending[] }): { violations: Finding[]; pending: (Finding & { from: string; to: string })[] };
};

const repo = join(__dirname, '..', '..', '..');

/** A monorepo of its own: one package per layer that matters, each with a face. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'vane-layering-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const pkg = (dir: string, name: string, layer: number | undefined, exports: Record<string, string> | undefined): void =>
    write(`${dir}/package.json`, JSON.stringify({ name, ...(exports ? { exports } : {}), ...(layer === undefined ? {} : { vane: { layer } }) }));
  write('package.json', JSON.stringify({ name: 'root', workspaces: ['core', 'lib/*', 'processors/*', 'gateways/*', 'infra', 'scripts/*'], vane: { layer: 6 } }));
  pkg('core', '@vane/core', 0, { '.': './src/index.ts', './http': './src/http.ts' });
  pkg('lib/model', '@vane/model', 2, { '.': './src/index.ts' });
  pkg('lib/words', '@vane/words', 2, { '.': './src/index.ts' });
  pkg('processors/counter', '@vane/counter', 4, { '.': './src/index.ts', './main': './src/main.ts' });
  pkg('gateways/front', '@vane/front', 4, { '.': './src/app.ts', './server': './src/server.ts' });
  pkg('infra', '@vane/infra', 5, { '.': './src/index.ts' });
  pkg('scripts/cli', '@vane/cli', 6, { './bin': './bin/vane.js' });
  pkg('scripts/test-support', '@vane/test-support', 6, { './fixtures': './fixtures.ts' });
  for (const f of ['core/src/index.ts', 'core/src/http.ts', 'lib/model/src/index.ts', 'lib/words/src/index.ts', 'processors/counter/src/main.ts', 'gateways/front/src/server.ts', 'infra/src/index.ts', 'scripts/test-support/fixtures.ts']) write(f, 'export {};\n');
  return root;
}

function plant(root: string, path: string, text: string): string {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  return path;
}

describe('the layering check', () => {
  let root: string;
  beforeAll(() => {
    root = fakeRepo();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The findings for one planted file, which is removed again. */
  const check = (path: string, text: string): Finding[] => {
    try {
      return layering.checkLayers(root, { files: [plant(root, path, text)], pending: [] }).violations;
    } finally {
      rmSync(join(root, path));
    }
  };

  it.each([
    ['an import up a layer', 'lib/model/src/up.ts', "import { x } from '@vane/counter';\n", 'layer', 'runs up the layering: @vane/model (layer 2'],
    ['a processor importing a gateway', 'processors/counter/src/sibling.ts', "import { build } from '@vane/front';\n", 'layer', 'is a sibling: @vane/counter (layer 4'],
    ["another package's src/", 'gateways/front/src/deep.ts', "import { a } from '@vane/model/src/index';\n", 'face', "reaches into @vane/model's src/"],
    ["another package's test/", 'gateways/front/test/deep.test.ts', "import { a } from '@vane/counter/test/harness';\n", 'face', "reaches into @vane/counter's test/"],
    ['a subpath the package does not export', 'gateways/front/src/odd.ts', "import { a } from '@vane/core/errors';\n", 'face', 'is not a subpath @vane/core exports'],
    ['a relative path into another package', 'gateways/front/src/path.ts', "import { a } from '../../../lib/model/src/index';\n", 'face', 'reaches into @vane/model by path'],
    ['a require() up a layer', 'core/src/lazy.ts', "const m = require('@vane/model');\n", 'layer', 'runs up the layering: @vane/core (layer 0'],
    ['a module named in a string', 'scripts/cli/src/components.ts', "export const c = { module: '@vane/counter/src/main' };\n", 'face', "reaches into @vane/counter's src/"],
    ['@vane/infra from source code', 'gateways/front/src/stack.ts', "import { up } from '@vane/infra';\n", 'layer', 'runs up the layering: @vane/front (layer 4'],
    ['an unknown @vane package', 'lib/model/src/ghost.ts', "import { g } from '@vane/ghost';\n", 'unknown', 'names no workspace package'],
  ])('fails on %s, naming the file, line and import', (_what, path, text, rule, why) => {
    const found = check(path, text);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v!.rule).toBe(rule);
    expect(v!.file).toBe(path);
    expect(v!.message).toContain(`${path}:1`);
    expect(v!.message).toContain(why);
  });

  it.each([
    ['a lower layer through its face', 'gateways/front/src/ok.ts', "import { registerVaneErrors } from '@vane/core/http';\nimport { m } from '@vane/model';\n"],
    ['a sibling in a layer that allows it', 'lib/words/src/ok.ts', "import { m } from '@vane/model';\n"],
    ["the package's own files", 'processors/counter/src/own.ts', "import { main } from './main';\n"],
    ['infra and test support from tests', 'lib/model/test/stack.int.test.ts', "import { up } from '@vane/infra';\nimport { f } from '@vane/test-support/fixtures';\n"],
    ['a gateway server face from the scripts layer', 'scripts/cli/src/run.ts', "const s = require.resolve('@vane/front/server');\nimport { up } from '@vane/infra';\n"],
    ['npm packages and node builtins', 'core/src/deps.ts', "import { join } from 'node:path';\nimport fastify from 'fastify';\n"],
  ])('accepts %s', (_what, path, text) => {
    expect(check(path, text)).toEqual([]);
  });

  it('fails on a package without a layer or without an exports map', () => {
    const at = (dir: string, manifest: object): void => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'package.json'), JSON.stringify(manifest));
    };
    at('lib/nolayer', { name: '@vane/nolayer', exports: { '.': './src/index.ts' } });
    at('lib/noface', { name: '@vane/noface', vane: { layer: 2 } });
    try {
      const messages = layering.checkLayers(root, { files: [], pending: [] }).violations.map((v) => v.message);
      expect(messages).toEqual(
        expect.arrayContaining([expect.stringContaining('lib/nolayer/package.json: "vane": { "layer": N } is missing'), expect.stringContaining('lib/noface/package.json: no "exports" map')]),
      );
    } finally {
      rmSync(join(root, 'lib/nolayer'), { recursive: true, force: true });
      rmSync(join(root, 'lib/noface'), { recursive: true, force: true });
    }
  });

  it('tolerates a pending violation, and fails once nothing needs the tolerance', () => {
    const pendingRule = { from: '@vane/counter', to: '@vane/front', why: 'issue 99 moves it' };
    const file = plant(root, 'processors/counter/src/pending.ts', "import { build } from '@vane/front';\n");
    const withImport = layering.checkLayers(root, { pending: [pendingRule] });
    expect(withImport.violations.filter((v) => v.file === file)).toEqual([]);
    expect(withImport.pending).toEqual([expect.objectContaining({ file, from: '@vane/counter', to: '@vane/front', why: 'issue 99 moves it' })]);
    rmSync(join(root, file));
    const stale = layering.checkLayers(root, { pending: [pendingRule] }).violations.map((v) => v.message);
    expect(stale).toEqual(expect.arrayContaining([expect.stringContaining('PENDING tolerates @vane/counter → @vane/front, which no import does any more')]));
  });
});

describe('npm run check:layers on this repository', () => {
  it('fails on planted bad imports (up a layer; into another package’s src/) and names each one', () => {
    const id = randomBytes(4).toString('hex');
    const up = `lib/network/src/zz-planted-up-${id}.ts`;
    const deep = `gateways/snapshots/src/zz-planted-src-${id}.ts`;
    writeFileSync(join(repo, up), "import { AppHost } from '@vane/apps';\nexport const planted = AppHost;\n");
    writeFileSync(join(repo, deep), "import { physicalTopic } from '@vane/topics/src/naming';\nexport const planted = physicalTopic;\n");
    try {
      const run = spawnSync(process.execPath, [join(repo, 'scripts', 'lib', 'layering.js')], { cwd: repo, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${up}:1: '@vane/apps' runs up the layering: @vane/network (layer 2, topics and shared vocabularies) may not import @vane/apps (layer 3, platform libraries)`);
      expect(run.stderr).toContain(`${deep}:1: '@vane/topics/src/naming' reaches into @vane/topics's src/: import one of @vane/topics's exports (@vane/topics)`);
      expect(run.stderr).toMatch(/layering: 2 violation\(s\)/);
    } finally {
      rmSync(join(repo, up), { force: true });
      rmSync(join(repo, deep), { force: true });
    }
  });
});
