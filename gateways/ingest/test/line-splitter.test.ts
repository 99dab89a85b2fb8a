import { splitLines } from '../src/line-splitter';

async function collect(chunks: string[], max: number) {
  async function* source() {
    for (const c of chunks) yield Buffer.from(c);
  }
  const out = [];
  for await (const line of splitLines(source(), max)) out.push(line.tooLong ? `#${line.number}:too long` : `#${line.number}:${line.text}`);
  return out;
}

describe('splitLines', () => {
  it('splits across chunks, handles CRLF, skips empty lines and reports over-long ones', async () => {
    expect(await collect(['ab', 'c\r\nde', 'f\n\nghi'], 100)).toEqual(['#1:abc', '#2:def', '#4:ghi']);
    expect(await collect(['short\n', 'x'.repeat(30), 'y'.repeat(30), '\nok\n'], 40)).toEqual(['#1:short', '#2:too long', '#3:ok']);
    expect(await collect(['é'.repeat(3), '\n'], 100)).toEqual(['#1:ééé']);
  });
});
