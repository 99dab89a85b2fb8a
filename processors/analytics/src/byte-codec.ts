import { analyticsError } from './errors';

/**
 * Minimal binary writer/reader for the serialised models (Scylla blobs):
 * unsigned LEB128 varints, zig-zag signed varints, float64 (little endian),
 * UTF-8 strings with a varint length, raw bytes with a varint length.
 * A reader that runs past its end throws VANE_ERR_DECODE.
 */
export class ByteWriter {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];
  private static readonly encoder = new TextEncoder();

  private flush(): void {
    if (this.chunks.length > 0) {
      this.parts.push(Uint8Array.from(this.chunks));
      this.chunks = [];
    }
  }

  byte(value: number): this {
    this.chunks.push(value & 0xff);
    return this;
  }

  /** Unsigned integer up to 2^53. */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw analyticsError('VANE_ERR_STATE', `cannot encode ${value} as an unsigned varint`);
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
    return this;
  }

  /** Signed integer (zig-zag) in the safe range. */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw analyticsError('VANE_ERR_STATE', `cannot encode ${value} as a signed varint`);
    return this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  float(value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.flush();
    this.parts.push(b);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint(value.length);
    this.flush();
    this.parts.push(value);
    return this;
  }

  string(value: string): this {
    return this.bytes(ByteWriter.encoder.encode(value));
  }

  finish(): Uint8Array {
    this.flush();
    const size = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export class ByteReader {
  private at = 0;
  private static readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly data: Uint8Array, private readonly what: string) {}

  private need(n: number): void {
    if (this.at + n > this.data.length) throw analyticsError('VANE_ERR_DECODE', `${this.what}: truncated at byte ${this.at}`);
  }

  byte(): number {
    this.need(1);
    return this.data[this.at++]!;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw analyticsError('VANE_ERR_DECODE', `${this.what}: varint too long at byte ${this.at}`);
    }
    return result;
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float(): number {
    this.need(8);
    const v = new DataView(this.data.buffer, this.data.byteOffset + this.at, 8).getFloat64(0, true);
    this.at += 8;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    this.need(n);
    const out = this.data.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  string(): string {
    try {
      return ByteReader.decoder.decode(this.bytes());
    } catch (error) {
      if (error instanceof TypeError) throw analyticsError('VANE_ERR_DECODE', `${this.what}: a string is not UTF-8`);
      throw error;
    }
  }

  get done(): boolean {
    return this.at === this.data.length;
  }

  expectEnd(): void {
    if (!this.done) throw analyticsError('VANE_ERR_DECODE', `${this.what}: ${this.data.length - this.at} bytes left over`);
  }
}
