import type { IncomingMessage } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VaneError, isVaneError } from '@vane/core';

/**
 * The body of a log upload as a stream of chunks: gunzipped when it starts
 * with the gzip magic bytes, at most `maxBytes` (decompressed). A body over
 * the limit fails with VANE_ERR_BODY_TOO_LARGE, a gzip body that does not
 * decompress with VANE_ERR_BAD_INPUT; both carry field "body".
 */
export async function* logBody(raw: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  const iterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const source: AsyncIterable<Buffer> = gzip ? pipeline(Readable.from(all()), createGunzip(), () => undefined) : all();
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw new VaneError('VANE_ERR_BODY_TOO_LARGE', `the log is larger than ${maxBytes} bytes (decompressed)`, { field: 'body' });
      yield chunk;
    }
  } catch (error) {
    if (isVaneError(error)) throw error;
    if (gzip) throw new VaneError('VANE_ERR_BAD_INPUT', `the body starts like gzip but does not decompress: ${(error as Error).message}`, { field: 'body' });
    throw error;
  }
}
