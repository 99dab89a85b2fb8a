import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type, type Schema } from 'avsc';
import { VaneError } from '@vane/core';

/**
 * Confluent wire format: byte 0 = magic 0, bytes 1-4 = schema id (big-endian
 * int32, as assigned by the registry), then the Avro binary body.
 */
export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export interface CompatibilityResult {
  /** false when the subject has no version yet. */
  subjectExists: boolean;
  compatible: boolean;
  messages: string[];
}

export interface Decoded<T> {
  value: T;
  schemaId: number;
}

/** Where the first invalid value sits in a record, e.g. `client.country: "DEU" is not a valid string|null`. */
export function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: Type) => {
      const shown = JSON.stringify(v);
      paths.push(`${path.join('.') || '(record)'}: ${shown === undefined ? 'missing' : shown.slice(0, 80)} is not a valid ${typeName(t)}`);
    },
  });
  return paths;
}

function typeName(t: Type): string {
  const schema = t.schema() as unknown;
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return schema.map((s) => (typeof s === 'string' ? s : (s as { type?: string; name?: string }).name ?? (s as { type?: string }).type)).join('|');
  const obj = schema as { name?: string; type?: string };
  return obj.name ?? obj.type ?? 'value';
}

/**
 * Encodes and decodes records against a Confluent-compatible schema registry
 * (Apicurio's ccompat API locally). Registration pins every subject to
 * BACKWARD compatibility. Writer types are cached by id; decoding is
 * synchronous once an id has been seen (`decodeCached`).
 */
export class SchemaCodec {
  readonly registry: SchemaRegistry;
  private readonly types = new Map<number, Type>();
  /** Per reader type, per writer id: the resolver, or null when writer and reader are the same schema. */
  private readonly resolvers = new WeakMap<Type, Map<number, ReturnType<Type['createResolver']> | null>>();
  private readonly latestIds = new Map<string, number>();

  constructor(readonly url: string) {
    this.registry = new SchemaRegistry({ host: url, retry: { retries: 3 } });
  }

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new VaneError('VANE_ERR_REGISTRY', `schema registry at ${this.url} is unreachable: ${(error as Error).message}`, {
        retriable: true,
        cause: error,
      });
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  /** Asks the registry whether `schema` may become the next version of `subject` (BACKWARD). */
  async checkCompatibility(subject: string, schema: object): Promise<CompatibilityResult> {
    const versions = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    if (versions.status === 404) return { subjectExists: false, compatible: true, messages: [] };
    const res = await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, {
      schema: JSON.stringify(schema),
    });
    if (res.status !== 200) {
      throw new VaneError('VANE_ERR_REGISTRY', `compatibility check for ${subject} failed with HTTP ${res.status}: ${JSON.stringify(res.json)}`, { retriable: false });
    }
    const body = res.json as { is_compatible?: boolean; messages?: string[] };
    return { subjectExists: true, compatible: body.is_compatible === true, messages: body.messages ?? [] };
  }

  /** Sets BACKWARD compatibility on the subject, then registers; refuses an incompatible schema. */
  async register(subject: string, schema: object): Promise<number> {
    const check = await this.checkCompatibility(subject, schema);
    if (!check.compatible) {
      throw new VaneError(
        'VANE_ERR_SCHEMA_INCOMPATIBLE',
        `${subject}: the new schema is not BACKWARD compatible with the registered one${check.messages.length ? `: ${check.messages.join('; ')}` : ''}`,
      );
    }
    const config = await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
    if (config.status !== 200) {
      throw new VaneError('VANE_ERR_REGISTRY', `setting BACKWARD compatibility on ${subject} failed with HTTP ${config.status}: ${JSON.stringify(config.json)}`, { retriable: false });
    }
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: 'BACKWARD' as never },
      );
      this.latestIds.set(subject, id);
      return id;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409) {
        throw new VaneError('VANE_ERR_SCHEMA_INCOMPATIBLE', `${subject}: the registry refused the schema as incompatible: ${(error as Error).message}`);
      }
      throw new VaneError('VANE_ERR_REGISTRY', `registering ${subject} failed: ${(error as Error).message}`, { retriable: status === undefined || status >= 500, cause: error });
    }
  }

  /** Id of the latest version of a subject (cached for the life of the codec). */
  async latestId(subject: string): Promise<number> {
    const cached = this.latestIds.get(subject);
    if (cached !== undefined) return cached;
    try {
      const id = await this.registry.getLatestSchemaId(subject);
      this.latestIds.set(subject, id);
      return id;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) {
        throw new VaneError('VANE_ERR_UNKNOWN_SCHEMA', `no schema is registered under ${subject}; run \`vane schemas register\``);
      }
      throw new VaneError('VANE_ERR_REGISTRY', `looking up ${subject} failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
  }

  /** The writer type of a schema id, fetched once. */
  async typeOf(id: number): Promise<Type> {
    const cached = this.types.get(id);
    if (cached) return cached;
    let type: Type;
    try {
      type = (await this.registry.getSchema(id)) as unknown as Type;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) throw new VaneError('VANE_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
      throw new VaneError('VANE_ERR_REGISTRY', `fetching schema id ${id} failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
    this.types.set(id, type);
    return type;
  }

  /** Encodes with the latest registered schema of `subject`; invalid values name the offending field. */
  async encode(subject: string, value: unknown): Promise<Buffer> {
    const id = await this.latestId(subject);
    const type = await this.typeOf(id);
    return this.encodeWith(id, type, value);
  }

  encodeWith(id: number, type: Type, value: unknown): Buffer {
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch {
      const paths = invalidPaths(type, value);
      throw new VaneError('VANE_ERR_VALIDATION', `record does not match schema ${id}: ${paths.slice(0, 3).join('; ') || 'invalid value'}`);
    }
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  /** Schema id of a wire-format buffer, or a VANE_ERR_DECODE error. */
  static schemaIdOf(buffer: Buffer | null): number {
    if (!buffer || buffer.length < HEADER_SIZE) {
      throw new VaneError('VANE_ERR_DECODE', `record is ${buffer ? `${buffer.length} bytes` : 'empty'}, shorter than the 5-byte Confluent header`);
    }
    if (buffer.readUInt8(0) !== MAGIC_BYTE) {
      throw new VaneError('VANE_ERR_DECODE', `record does not start with the Confluent magic byte 0 (found ${buffer.readUInt8(0)}); it is not Avro in the Confluent wire format`);
    }
    return buffer.readInt32BE(1);
  }

  /**
   * Decodes one record. With a reader type, records written with an older
   * (compatible) schema are resolved into the reader's shape.
   */
  async decode<T>(buffer: Buffer | null, reader?: Type): Promise<Decoded<T>> {
    const id = SchemaCodec.schemaIdOf(buffer);
    await this.typeOf(id);
    return this.decodeCached<T>(buffer!, reader);
  }

  /** Synchronous decode; the schema id must already be cached (see `typeOf`). */
  decodeCached<T>(buffer: Buffer, reader?: Type): Decoded<T> {
    const id = SchemaCodec.schemaIdOf(buffer);
    const writer = this.types.get(id);
    if (!writer) throw new Error(`schema id ${id} not cached; call typeOf(${id}) first`);
    try {
      if (!reader || reader === writer) return { value: writer.fromBuffer(buffer.subarray(HEADER_SIZE)) as T, schemaId: id };
      let perReader = this.resolvers.get(reader);
      if (!perReader) {
        perReader = new Map();
        this.resolvers.set(reader, perReader);
      }
      let resolver = perReader.get(id);
      if (resolver === undefined) {
        resolver = reader.equals(writer) ? null : reader.createResolver(writer);
        perReader.set(id, resolver);
      }
      const body = buffer.subarray(HEADER_SIZE);
      return { value: (resolver ? reader.fromBuffer(body, resolver) : writer.fromBuffer(body)) as T, schemaId: id };
    } catch (error) {
      throw new VaneError('VANE_ERR_DECODE', `record body is not valid Avro for schema id ${id}: ${(error as Error).message}`);
    }
  }

  isCached(id: number): boolean {
    return this.types.has(id);
  }
}

export function avroType(schema: object): Type {
  return Type.forSchema(schema as Schema);
}
