#!/usr/bin/env node
// `npm run check:layers`: every import that crosses a package boundary goes
// down the layering (README "Packages by layer") and through the imported
// package's face (its `exports` map), never into its `src/` or by path.
//
// The layer of each package is the `vane.layer` field of its package.json.
// Rules, for a file of package A referring to package B (A ≠ B):
// - B's layer is below A's, or equal in a layer whose packages may import
//   each other (SIBLINGS_ALLOWED); processors and gateways (layer 4) never
//   import each other.
// - Test code (a file under a `test/` folder) may also import @vane/infra
//   and @vane/test-support, whatever its layer.
// - The specifier is `@vane/b` or `@vane/b/<subpath>` with the subpath in
//   B's `exports`; a relative path into another package is never allowed,
//   except into the root's `scripts/lib` (the bootstrap, loaded by path
//   because it runs before node_modules exists) from the scripts layer.
// References are import/export declarations, require(), require.resolve(),
// import(), jest.mock() and every string literal naming a `@vane/<name>/<subpath>`
// module (the CLI's component table loads modules by name).
'use strict';
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');

const LAYERS = {
  0: 'core',
  1: 'schemas',
  2: 'topics and shared vocabularies',
  3: 'platform libraries',
  4: 'processors and gateways',
  5: 'infra (the local stack)',
  6: 'scripts',
};
/** Layers whose packages may import one another. */
const SIBLINGS_ALLOWED = new Set([2, 3, 6]);
/** Faces any test may import, whatever its layer. */
const TEST_ONLY = new Set(['@vane/infra', '@vane/test-support']);
/**
 * Imports against the layering that an open issue removes: reported, not
 * failed. An entry that no longer matches any import fails the check (delete it).
 */
const PENDING = [
  { from: '@vane/locate-learner', to: '@vane/locate', why: 'issue 10 moves the stations vocabulary below both (lib/stations)' },
  { from: '@vane/realtime', to: '@vane/analytics', why: 'issue 12: the analytics table names need a home below both' },
];
const SOURCE = /\.(c|m)?(t|j)sx?$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/** The workspace packages (and the root) with their folder, layer and exported subpaths. */
function loadPackages(root) {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of rootManifest.workspaces || []) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) dirs.push(join(parent, entry.name));
      }
    } else if (existsSync(join(root, pattern, 'package.json'))) dirs.push(join(root, pattern));
  }
  const problems = [];
  const packages = [];
  for (const dir of [root, ...dirs]) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const where = relative(root, join(dir, 'package.json'));
    const layer = manifest.vane && manifest.vane.layer;
    if (!Number.isInteger(layer) || !(layer in LAYERS)) {
      problems.push({ file: where, rule: 'layer', message: `${where}: "vane": { "layer": N } is missing or not one of ${Object.keys(LAYERS).join(', ')} (README "Packages by layer")` });
      continue;
    }
    if (dir !== root && (typeof manifest.exports !== 'object' || manifest.exports === null || Array.isArray(manifest.exports))) {
      problems.push({ file: where, rule: 'face', message: `${where}: no "exports" map (every package shows its face in one)` });
    }
    packages.push({ name: manifest.name, dir, layer, isRoot: dir === root, exports: exportKeys(manifest.exports) });
  }
  return { packages, problems };
}

function exportKeys(exportsField) {
  if (!exportsField) return [];
  if (typeof exportsField === 'string') return ['.'];
  const keys = Object.keys(exportsField);
  return keys.every((k) => k.startsWith('.')) ? keys : ['.'];
}

function exported(pkg, subpath) {
  const key = subpath ? `./${subpath}` : '.';
  return pkg.exports.some((k) => {
    if (k === key) return true;
    const star = k.indexOf('*');
    return star >= 0 && key.startsWith(k.slice(0, star)) && key.endsWith(k.slice(star + 1)) && key.length >= k.length - 1;
  });
}

/** "@vane/x or one of its exports (@vane/x, @vane/x/server)", for messages. */
function faceOf(pkg) {
  const faces = pkg.exports.filter((k) => k !== './package.json').map((k) => (k === '.' ? pkg.name : `${pkg.name}${k.slice(1)}`));
  return faces.length === 0 ? `nothing of ${pkg.name} (it exports nothing)` : `one of ${pkg.name}'s exports (${faces.join(', ')})`;
}

function sourceFiles(dir, packageDirs, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name) || entry.name.startsWith('scratch-')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Another package's folder is walked as that package.
      if (!packageDirs.has(path)) sourceFiles(path, packageDirs, out);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Module references of one file: { specifier, line, kind: 'import' | 'string' }. */
function referencesOf(ts, path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  const refs = [];
  const add = (node, kind) => refs.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, kind });
  const isModuleCall = (callee) => {
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isIdentifier(callee)) return callee.text === 'require';
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const call = `${callee.expression.text}.${callee.name.text}`;
      return ['require.resolve', 'jest.mock', 'jest.requireActual', 'jest.doMock', 'jest.unmock'].includes(call);
    }
    return false;
  };
  const moduleSpecifiers = new Set();
  const visit = (node) => {
    let specifier;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifier = node.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) specifier = node.moduleReference.expression;
    else if (ts.isCallExpression(node) && isModuleCall(node.expression) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) specifier = node.arguments[0];
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifier = node.argument.literal;
    if (specifier) {
      moduleSpecifiers.add(specifier);
      add(specifier, 'import');
    } else if (ts.isStringLiteralLike(node) && !moduleSpecifiers.has(node) && /^@vane\/[a-z0-9-]+\/[^\s]+$/.test(node.text)) {
      add(node, 'string');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/**
 * Checks every source file of the monorepo at `root` (or only `files`, still
 * judged against every package). Returns the violations, each with the
 * file, line, specifier, rule and a message naming all of them, and the
 * layering violations that `pending` (default PENDING) tolerates for now.
 */
function checkLayers(root, options = {}) {
  const pendingRules = options.pending || PENDING;
  const pending = [];
  const pendingUsed = new Set();
  const ts = require(require.resolve('typescript', { paths: [root, __dirname] }));
  const { packages, problems } = loadPackages(root);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const byDir = [...packages].sort((a, b) => b.dir.length - a.dir.length);
  const ownerOf = (path) => byDir.find((p) => p.isRoot || path === p.dir || path.startsWith(p.dir + sep));
  const packageDirs = new Set(packages.filter((p) => !p.isRoot).map((p) => p.dir));
  const files = options.files ? options.files.map((f) => resolve(root, f)) : packages.flatMap((p) => sourceFiles(p.dir, packageDirs));
  const violations = [...problems];

  for (const file of files) {
    const from = ownerOf(file);
    const rel = relative(root, file);
    const isTest = rel.split(sep).includes('test');
    for (const ref of referencesOf(ts, file, readFileSync(file, 'utf8'))) {
      const at = `${rel}:${ref.line}`;
      const report = (rule, why) => violations.push({ file: rel, line: ref.line, specifier: ref.specifier, rule, message: `${at}: '${ref.specifier}' ${why}` });
      let to;
      if (ref.specifier.startsWith('@vane/')) {
        const [, name, ...rest] = ref.specifier.match(/^(@vane\/[^/]+)(?:\/(.*))?$/) || [];
        to = byName.get(name);
        if (!to) {
          report('unknown', `names no workspace package (known: ${[...byName.keys()].filter(Boolean).sort().join(', ')})`);
          continue;
        }
        const subpath = rest.filter(Boolean).join('/');
        if (to !== from && !exported(to, subpath)) {
          const into = /(^|\/)(src|test)(\/|$)/.test(subpath) ? `reaches into ${name}'s ${subpath.split('/')[0]}/` : `is not a subpath ${name} exports`;
          report('face', `${into}: import ${faceOf(to)}`);
          continue;
        }
      } else if (ref.kind === 'import' && ref.specifier.startsWith('.')) {
        const target = resolve(dirname(file), ref.specifier);
        to = ownerOf(target);
        if (to === from) continue;
        const bootstrap = to.isRoot && relative(root, target).startsWith(join('scripts', 'lib') + sep) && from.layer === 6;
        if (!bootstrap) {
          report('face', to.isRoot ? `reaches into the root by path (${relative(root, target)}): only the scripts layer loads the root's scripts/lib by path` : `reaches into ${to.name} by path (${relative(root, target)}): import ${faceOf(to)}`);
          continue;
        }
      } else continue;
      if (to === from || !to.name) continue;
      if (isTest && TEST_ONLY.has(to.name)) continue;
      const down = to.layer < from.layer || (to.layer === from.layer && SIBLINGS_ALLOWED.has(from.layer));
      if (!down) {
        const same = to.layer === from.layer;
        const tolerated = pendingRules.find((r) => r.from === from.name && r.to === to.name);
        if (tolerated) {
          pendingUsed.add(tolerated);
          pending.push({ file: rel, line: ref.line, specifier: ref.specifier, from: from.name, to: to.name, why: tolerated.why });
          continue;
        }
        report('layer', `${same ? 'is a sibling' : 'runs up the layering'}: ${from.name} (layer ${from.layer}, ${LAYERS[from.layer]}) may not import ${to.name} (layer ${to.layer}, ${LAYERS[to.layer]})${isTest ? '; tests may also import @vane/infra and @vane/test-support' : ''}`);
      }
    }
  }
  if (!options.files) {
    for (const r of pendingRules) {
      if (!pendingUsed.has(r)) violations.push({ file: 'scripts/lib/layering.js', rule: 'pending', message: `scripts/lib/layering.js: PENDING tolerates ${r.from} → ${r.to}, which no import does any more: delete the entry` });
    }
  }
  return { violations, pending };
}

module.exports = { checkLayers, LAYERS, SIBLINGS_ALLOWED, PENDING };

if (require.main === module) {
  const root = join(__dirname, '..', '..');
  const started = Date.now();
  const { violations, pending } = checkLayers(root);
  const tolerated = new Map();
  for (const p of pending) {
    const pair = `${p.from} → ${p.to}`;
    if (!tolerated.has(pair)) tolerated.set(pair, { first: `${p.file}:${p.line}`, count: 0, why: p.why });
    tolerated.get(pair).count++;
  }
  for (const [pair, t] of tolerated) process.stderr.write(`layering: tolerated until fixed: ${pair}, ${t.count} import(s) (first ${t.first}): ${t.why}\n`);
  for (const v of violations) process.stderr.write(`layering: ${v.message}\n`);
  const took = ((Date.now() - started) / 1000).toFixed(1);
  if (violations.length > 0) {
    process.stderr.write(`layering: ${violations.length} violation(s) (README "Packages by layer"; ${took}s)\n`);
    process.exit(1);
  }
  process.stderr.write(`layering: every cross-package import goes down the layers through a package face (${took}s)\n`);
}
