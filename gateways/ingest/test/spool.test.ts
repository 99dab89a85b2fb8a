import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, encodeRecord } from '../src/spool';

const rec = (i: number) => ({ topic: 'ingest.beacons.v1', key: `k${i}`, value: Buffer.from(`value-${i}`) });

describe('Spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vane-spool-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back what was appended, in order, across segments, and deletes drained segments', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1_000_000, segmentBytes: 200 });
    for (let i = 0; i < 20; i++) await spool.append([rec(i)]);
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-')).length).toBeGreaterThan(2);
    const first = await spool.read(7);
    expect(first.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    expect(first.records[3]!.value.toString()).toBe('value-3');
    // Reading again without commit gives the same batch.
    expect((await spool.read(7)).records.map((r) => r.key)).toEqual(first.records.map((r) => r.key));
    await spool.commit(first.end, 7);
    const rest = await spool.read(100);
    expect(rest.records.map((r) => r.key)).toEqual(Array.from({ length: 13 }, (_, i) => `k${i + 7}`));
    await spool.commit(rest.end, 13);
    expect(spool.pendingBytes).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('segment-'))).toHaveLength(1);
    await spool.close();
  });

  it('keeps its place across reopen and cuts a torn record off the end', async () => {
    let spool = await Spool.open(dir, { maxBytes: 1_000_000 });
    await spool.append([rec(1), rec(2), rec(3)]);
    const one = await spool.read(1);
    await spool.commit(one.end, 1);
    await spool.close();
    const segment = readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    const torn = encodeRecord(rec(4)).subarray(0, 9);
    appendFileSync(join(dir, segment), torn);
    spool = await Spool.open(dir, { maxBytes: 1_000_000 });
    expect((await spool.read(10)).records.map((r) => r.key)).toEqual(['k2', 'k3']);
    await spool.append([rec(5)]);
    expect((await spool.read(10)).records.map((r) => r.key)).toEqual(['k2', 'k3', 'k5']);
    expect(statSync(join(dir, segment)).size).toBeGreaterThan(0);
    await spool.close();
  });

  it('refuses appends beyond its size, and a second user of the same directory', async () => {
    const spool = await Spool.open(dir, { maxBytes: 100 });
    await spool.append([rec(1)]);
    await expect(spool.append([rec(2), rec(3), rec(4)])).rejects.toMatchObject({ code: 'VANE_ERR_SPOOL_FULL' });
    await spool.append([rec(2), rec(3), rec(4)], { ignoreLimit: true });
    expect((await spool.read(10)).records).toHaveLength(4);
    // A live process other than us (pid 1) holds the lock.
    writeFileSync(join(dir, 'lock'), '1\n');
    await expect(Spool.open(dir, { maxBytes: 100 })).rejects.toMatchObject({ code: 'VANE_ERR_SPOOL' });
    await spool.close();
  });
});
