import { replayable } from '../src/replayable';
import { runVane } from '@vane/test-support/run-vane';

describe('vane replay: the replayable processors', () => {
  it('registers the scorer, the decisions loader and the dead-letter loader', () => {
    expect([...replayable.keys()]).toEqual(['scorer', 'decisions-loader', 'deadletters']);
  });

  it.each([...replayable.values()].map((spec) => [spec.model, spec] as const))('%s declares a consistent model', (_name, spec) => {
    const tables = [...spec.scyllaTables, ...spec.clickhouseTables].map((t) => t.table);
    expect(spec.verify.length).toBeGreaterThan(0);
    for (const check of spec.verify) expect(tables).toContain(check.table);
    for (const topic of spec.topics.served ?? []) expect(spec.topics.versioned).toContain(topic);
    // At least one processor reads a shared input (where a rebuild starts); every versioned input is written by the model.
    expect(spec.processors.some((p) => !spec.topics.versioned.includes(p.input))).toBe(true);
    expect(new Set(spec.processors.map((p) => p.name)).size).toBe(spec.processors.length);
  });

  it('lists them in its help', async () => {
    const { code, stdout } = await runVane(['replay', '--help']);
    expect(code).toBe(0);
    const width = Math.max(...[...replayable.keys()].map((name) => name.length));
    for (const spec of replayable.values()) expect(stdout).toContain(`\n  ${spec.model.padEnd(width)}  ${spec.description}\n`);
  });

  it.each([
    [['replay', 'recommender', '--as', 'v2']],
    [['replay', 'verify', 'recommender', '--as', 'v2']],
  ])('answers an unknown processor with VANE_ERR_USAGE naming the replayable ones (%j)', async (args) => {
    const { code, stderr } = await runVane(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/VANE_ERR_USAGE: 'recommender' cannot be replayed \(replayable: scorer, decisions-loader, deadletters\)/);
  });

  it('requires --as', async () => {
    const { code, stderr } = await runVane(['replay', 'decisions-loader']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/VANE_ERR_USAGE: --as <version> is required/);
  });
});
