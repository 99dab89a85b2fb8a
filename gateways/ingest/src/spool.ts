import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { VaneError } from '@vane/core';

/**
 * The gateway's local disk spool: where accepted records wait while Kafka is
 * unreachable. Append-only segment files, each append fsynced (fdatasync)
 * before it returns, read back in append order, deleted once drained.
 *
 * On-disk format (all integers big-endian):
 *   <dir>/segment-<16 digits>.log   records, back to back:
 *     u32 bodyLength | u32 crc32(body) | body
 *     body = u16 topicLength | topic (UTF-8) | u32 keyLength | key (UTF-8) | u32 valueLength | value
 *   <dir>/cursor                     JSON {"segment": n, "offset": bytes}: everything before it is in Kafka
 *   <dir>/lock                       pid of the gateway using the spool
 * A torn record at the end of the last segment (a crash mid-append, never
 * acknowledged) is cut off when the spool is opened.
 */
export interface SpooledRecord {
  topic: string;
  key: string;
  value: Buffer;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolBatch {
  records: SpooledRecord[];
  /** Where the next read starts once this batch is committed. */
  end: SpoolPosition;
}

export interface SpoolOptions {
  /** Most bytes of undrained records the spool holds; appends beyond are refused (VANE_ERR_SPOOL_FULL). */
  maxBytes: number;
  /** A new segment file is started when the current one would grow past this. */
  segmentBytes?: number;
}

const HEADER = 8;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function encodeRecord(record: SpooledRecord): Buffer {
  const topic = Buffer.from(record.topic, 'utf8');
  const key = Buffer.from(record.key, 'utf8');
  const bodyLength = 2 + topic.length + 4 + key.length + 4 + record.value.length;
  const out = Buffer.allocUnsafe(HEADER + bodyLength);
  out.writeUInt32BE(bodyLength, 0);
  let at = HEADER;
  out.writeUInt16BE(topic.length, at);
  at += 2;
  topic.copy(out, at);
  at += topic.length;
  out.writeUInt32BE(key.length, at);
  at += 4;
  key.copy(out, at);
  at += key.length;
  out.writeUInt32BE(record.value.length, at);
  at += 4;
  record.value.copy(out, at);
  out.writeUInt32BE(crc32(out.subarray(HEADER)), 4);
  return out;
}

/** Decodes the record at `at`; null when the bytes there are not a whole, intact record. */
function decodeRecord(buffer: Buffer, at: number): { record: SpooledRecord; size: number } | null {
  if (buffer.length - at < HEADER) return null;
  const bodyLength = buffer.readUInt32BE(at);
  if (bodyLength < 10 || buffer.length - at - HEADER < bodyLength) return null;
  const body = buffer.subarray(at + HEADER, at + HEADER + bodyLength);
  if (crc32(body) !== buffer.readUInt32BE(at + 4)) return null;
  let p = 0;
  const topicLength = body.readUInt16BE(p);
  p += 2;
  const topic = body.toString('utf8', p, p + topicLength);
  p += topicLength;
  const keyLength = body.readUInt32BE(p);
  p += 4;
  const key = body.toString('utf8', p, p + keyLength);
  p += keyLength;
  const valueLength = body.readUInt32BE(p);
  p += 4;
  if (p + valueLength !== bodyLength) return null;
  return { record: { topic, key, value: Buffer.from(body.subarray(p, p + valueLength)) }, size: HEADER + bodyLength };
}

function segmentName(index: number): string {
  return `segment-${String(index).padStart(16, '0')}.log`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Segment {
  index: number;
  size: number;
}

export class Spool {
  private segments: Segment[] = [];
  private cursor: SpoolPosition = { segment: 0, offset: 0 };
  private writer: FileHandle | undefined;
  private reader: { index: number; handle: FileHandle } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Bytes appended and not yet committed as drained. */
  pendingBytes = 0;
  appendedRecords = 0;
  drainedRecords = 0;

  private constructor(
    readonly dir: string,
    private readonly options: Required<SpoolOptions>,
  ) {}

  /** Opens (creating if need be) the spool in `dir`, locks it and recovers its state. */
  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(dir, { segmentBytes: 64 * 1024 * 1024, ...options });
    await mkdir(dir, { recursive: true });
    await spool.lock();
    await spool.recover();
    return spool;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  get isEmpty(): boolean {
    return this.pendingBytes === 0;
  }

  hasRoom(bytes: number): boolean {
    return this.pendingBytes + bytes <= this.options.maxBytes;
  }

  private async lock(): Promise<void> {
    const file = join(this.dir, 'lock');
    try {
      const holder = Number((await readFile(file, 'utf8')).trim());
      if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
        throw new VaneError('VANE_ERR_SPOOL', `spool ${this.dir} is in use by process ${holder}; give each gateway its own spool directory`, { retriable: false });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await writeFile(file, `${process.pid}\n`);
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => /^segment-\d{16}\.log$/.test(n)).sort();
    const indexes = names.map((n) => Number(n.slice(8, 24)));
    try {
      const cursor = JSON.parse(await readFile(join(this.dir, 'cursor'), 'utf8')) as SpoolPosition;
      if (Number.isInteger(cursor.segment) && Number.isInteger(cursor.offset)) this.cursor = cursor;
    } catch {
      this.cursor = { segment: indexes[0] ?? 0, offset: 0 };
    }
    this.segments = [];
    for (const index of indexes) {
      if (index < this.cursor.segment) {
        await rm(join(this.dir, segmentName(index)), { force: true });
        continue;
      }
      const buffer = await readFile(join(this.dir, segmentName(index)));
      let size = buffer.length;
      if (index === indexes[indexes.length - 1]) {
        // Keep the intact prefix of the last segment: a torn tail was never acknowledged.
        let at = index === this.cursor.segment ? Math.min(this.cursor.offset, buffer.length) : 0;
        for (;;) {
          const decoded = decodeRecord(buffer, at);
          if (!decoded) break;
          at += decoded.size;
        }
        if (at < buffer.length) {
          const handle = await open(join(this.dir, segmentName(index)), 'r+');
          await handle.truncate(at);
          await handle.sync();
          await handle.close();
        }
        size = at;
      }
      this.segments.push({ index, size });
    }
    if (this.segments.length === 0 || this.segments[0]!.index !== this.cursor.segment) {
      // Nothing at the cursor: start a fresh segment there.
      const index = Math.max(this.cursor.segment, ...this.segments.map((s) => s.index + 1));
      if (this.segments.length === 0) this.cursor = { segment: index, offset: 0 };
      else this.cursor = { segment: this.segments[0]!.index, offset: 0 };
    }
    if (this.segments.length === 0) this.segments.push({ index: this.cursor.segment, size: 0 });
    const first = this.segments[0]!;
    if (this.cursor.offset > first.size) this.cursor.offset = first.size;
    this.pendingBytes = this.segments.reduce((sum, s) => sum + s.size, 0) - this.cursor.offset;
    const last = this.segments[this.segments.length - 1]!;
    this.writer = await open(join(this.dir, segmentName(last.index)), 'a');
  }

  private assertOpen(): void {
    // After close() another process may own the directory: never touch it again.
    if (this.closed) throw new VaneError('VANE_ERR_SPOOL', 'the spool is closed', { retriable: true });
  }

  /** Runs operations one at a time, in call order. */
  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.chain.then(operation, operation);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Appends records durably: resolves once they are written and fsynced.
   * Refuses the whole set with VANE_ERR_SPOOL_FULL when it does not fit,
   * unless `ignoreLimit` (records already held that must not be dropped).
   */
  append(records: readonly SpooledRecord[], options: { ignoreLimit?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      this.assertOpen();
      const encoded = records.map(encodeRecord);
      const bytes = encoded.reduce((sum, b) => sum + b.length, 0);
      if (!options.ignoreLimit && !this.hasRoom(bytes)) {
        throw new VaneError('VANE_ERR_SPOOL_FULL', `the spool holds ${this.pendingBytes} bytes of its ${this.options.maxBytes}; try again later`, { retriable: true });
      }
      let last = this.segments[this.segments.length - 1]!;
      if (last.size > 0 && last.size + bytes > this.options.segmentBytes) {
        await this.writer!.close();
        last = { index: last.index + 1, size: 0 };
        this.segments.push(last);
        this.writer = await open(join(this.dir, segmentName(last.index)), 'a');
      }
      const data = encoded.length === 1 ? encoded[0]! : Buffer.concat(encoded, bytes);
      try {
        await this.writer!.write(data);
        await this.writer!.datasync();
      } catch (error) {
        throw new VaneError('VANE_ERR_SPOOL', `writing to the spool ${this.dir} failed: ${(error as Error).message}`, { retriable: true, cause: error });
      }
      last.size += bytes;
      this.pendingBytes += bytes;
      this.appendedRecords += records.length;
    });
  }

  /** Reads up to `maxRecords` records (and about `maxBytes`) from the cursor on, without moving it. */
  read(maxRecords: number, maxBytes = 1024 * 1024): Promise<SpoolBatch> {
    return this.serial(async () => {
      this.assertOpen();
      const records: SpooledRecord[] = [];
      let position = { ...this.cursor };
      let budget = maxBytes;
      while (records.length < maxRecords && budget > 0) {
        const segment = this.segments.find((s) => s.index === position.segment);
        if (!segment) break;
        if (position.offset >= segment.size) {
          const next = this.segments.find((s) => s.index > position.segment);
          if (!next) break;
          position = { segment: next.index, offset: 0 };
          continue;
        }
        const handle = await this.readHandle(segment.index);
        let length = Math.min(budget, segment.size - position.offset);
        let buffer = Buffer.allocUnsafe(Math.max(length, HEADER));
        let { bytesRead } = await handle.read(buffer, 0, length, position.offset);
        buffer = buffer.subarray(0, bytesRead);
        if (bytesRead >= HEADER && HEADER + buffer.readUInt32BE(0) > bytesRead) {
          // The first record is larger than the budget: read exactly it.
          length = HEADER + buffer.readUInt32BE(0);
          buffer = Buffer.allocUnsafe(length);
          ({ bytesRead } = await handle.read(buffer, 0, length, position.offset));
          buffer = buffer.subarray(0, bytesRead);
        }
        let at = 0;
        while (records.length < maxRecords) {
          const decoded = decodeRecord(buffer, at);
          if (!decoded) break;
          records.push(decoded.record);
          at += decoded.size;
        }
        if (at === 0) {
          throw new VaneError('VANE_ERR_SPOOL', `spool segment ${segmentName(segment.index)} is damaged at byte ${position.offset}`, { retriable: false });
        }
        position = { segment: position.segment, offset: position.offset + at };
        budget -= at;
      }
      return { records, end: position };
    });
  }

  private async readHandle(index: number): Promise<FileHandle> {
    if (this.reader?.index === index) return this.reader.handle;
    await this.reader?.handle.close();
    this.reader = { index, handle: await open(join(this.dir, segmentName(index)), 'r') };
    return this.reader.handle;
  }

  /** Records everything before `end` as drained (durably), and deletes drained segments. */
  commit(end: SpoolPosition, records: number): Promise<void> {
    return this.serial(async () => {
      this.assertOpen();
      const before = this.segments.filter((s) => s.index < end.segment).reduce((sum, s) => sum + s.size, 0);
      const consumed = before - this.cursor.offset + end.offset;
      this.cursor = { ...end };
      this.pendingBytes -= consumed;
      this.drainedRecords += records;
      const last = this.segments[this.segments.length - 1]!;
      if (this.pendingBytes === 0 && last.size > 0) {
        // All drained: start over in a new, empty segment.
        await this.writer!.close();
        const index = last.index + 1;
        this.writer = await open(join(this.dir, segmentName(index)), 'a');
        this.cursor = { segment: index, offset: 0 };
        this.segments.push({ index, size: 0 });
      }
      await this.writeCursor();
      for (const segment of this.segments.filter((s) => s.index < this.cursor.segment)) {
        if (this.reader?.index === segment.index) {
          await this.reader.handle.close();
          this.reader = undefined;
        }
        await rm(join(this.dir, segmentName(segment.index)), { force: true });
      }
      this.segments = this.segments.filter((s) => s.index >= this.cursor.segment);
    });
  }

  private async writeCursor(): Promise<void> {
    const tmp = join(this.dir, 'cursor.tmp');
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(this.cursor));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, 'cursor'));
  }

  /** Closes the files and releases the lock; undrained records stay for the next open. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.writer?.close();
      await this.reader?.handle.close();
      this.writer = undefined;
      this.reader = undefined;
      await rm(join(this.dir, 'lock'), { force: true });
    });
  }
}
