export type SplitLine = { number: number; text: string; tooLong: false } | { number: number; text: null; tooLong: true };

/**
 * Splits a byte stream into lines (LF or CRLF) without ever holding more than
 * one line of at most `maxLineBytes`: a longer line is reported as too long
 * (its bytes are skipped up to the next LF). Empty lines are numbered but not
 * yielded. Lines are decoded as UTF-8.
 */
export async function* splitLines(input: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<SplitLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let overflow = false;
  let number = 0;
  const finish = function* (): Generator<SplitLine> {
    number++;
    if (overflow) {
      yield { number, text: null, tooLong: true };
    } else if (length > 0) {
      let text = Buffer.concat(parts, length).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text !== '') yield { number, text, tooLong: false };
    }
    parts = [];
    length = 0;
    overflow = false;
  };
  for await (const chunk of input) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!overflow) {
        if (length + (end - start) > maxLineBytes) {
          overflow = true;
          parts = [];
          length = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          length += end - start;
        }
      }
      if (nl < 0) break;
      yield* finish();
      start = nl + 1;
    }
  }
  if (length > 0 || overflow) yield* finish();
}
