// The topic catalogue: every topic's value schema, read from schemas/avro/.
//
// Contracts:
// - Values are Avro records, one `.avsc` file per topic named `<topic>.avsc`,
//   registered under the subject `<topic>-value` (TopicNameStrategy) and framed
//   in the Confluent wire format (magic byte 0, 4-byte schema id, Avro body).
// - Keys are NOT Avro: every key is a plain UTF-8 string with no framing and no
//   registered `-key` subject; `topicKeys` says what it holds. Unkeyed topics
//   are produced with a null key.
// - Records shared by several topics (vane.common.*) have one full name and one
//   shape everywhere; each `.avsc` still defines them itself so that every file
//   is self-contained.
import * as fs from 'fs';
import * as path from 'path';

/** Every topic of the catalogue, sorted. */
export const topicNames = [
  'config.changes.v1',
  'deadletter.v1',
  'decisions.dns.v1',
  'decisions.http.v1',
  'ingest.beacons.v1',
  'ingest.downloads.v1',
  'ingest.geosubmit.v1',
  'ingest.measurements.v1',
  'ingest.serverlogs.v1',
  'locate.queries.v1',
  'models.sites.v1',
  'scorer.merge-changelog.v1',
  'scorer.partials.v1',
  'scorer.windows-changelog.v1',
  'scores.v1',
] as const;

export type TopicName = (typeof topicNames)[number];

/**
 * What the (plain string) key of each topic holds. Producers must key exactly so:
 * partitioning and, on compacted topics, compaction depend on it.
 */
export const topicKeys: Readonly<Record<TopicName, string>> = {
  'config.changes.v1': 'entityId (unique across tenants and entity types)',
  'deadletter.v1': 'sourceTopic',
  'decisions.dns.v1': 'appId',
  'decisions.http.v1': 'appId',
  'ingest.beacons.v1': 'siteId',
  'ingest.downloads.v1': 'type ("download" or "share")',
  'ingest.geosubmit.v1': 'none (null key)',
  'ingest.measurements.v1': "the client's most specific location key, as scores.v1 locationKey",
  'ingest.serverlogs.v1': 'siteId',
  'locate.queries.v1': 'none (null key)',
  'models.sites.v1': 'siteId',
  'scorer.merge-changelog.v1': 'state store key: `${provider}|${locationKey}#${sourcePartition}` or `${provider}|${locationKey}`',
  'scorer.partials.v1': '`${provider}|${locationKey}`',
  'scorer.windows-changelog.v1': 'state store key: `${provider}|${locationKey}` or "~partition"',
  'scores.v1': '`${provider}|${locationKey}`',
};

/** Schema registry subject of a topic's value schema (Confluent TopicNameStrategy). */
export function valueSubject<T extends string>(topic: T): `${T}-value` {
  return `${topic}-value`;
}

/** Directory holding the `.avsc` files. */
export const avroDir: string = path.resolve(__dirname, '..', 'avro');

/** Path of a topic's value schema file. */
export function schemaPath(topic: string): string {
  return path.join(avroDir, `${topic}.avsc`);
}

/** A JSON value, as allowed in an Avro field default. */
type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An Avro schema as written in an `.avsc` file: a union (never directly inside another union) or a single type. */
export type AvroSchema = AvroSingleSchema | AvroSingleSchema[];

/** A type name (primitive or named type) or a complex type. */
export type AvroSingleSchema =
  | string
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroFixedSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroPrimitiveSchema;

interface AvroField {
  readonly name: string;
  readonly doc?: string;
  readonly type: AvroSchema;
  readonly default?: JsonValue;
}

export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: AvroField[];
}

interface AvroEnumSchema {
  readonly type: 'enum';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly symbols: string[];
  readonly default?: string;
}

interface AvroFixedSchema {
  readonly type: 'fixed';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly size: number;
}

interface AvroArraySchema {
  readonly type: 'array';
  readonly items: AvroSchema;
}

interface AvroMapSchema {
  readonly type: 'map';
  readonly values: AvroSchema;
}

/** A type with a name of its own, which other types of the same file may refer to. */
export type AvroNamedSchema = AvroRecordSchema | AvroEnumSchema | AvroFixedSchema;

/** A primitive written as an object, usually to carry a logical type. */
interface AvroPrimitiveSchema {
  readonly type: AvroPrimitiveName;
  readonly logicalType?: string;
}

const avroPrimitiveNames = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type AvroPrimitiveName = (typeof avroPrimitiveNames)[number];

/** A topic's value schema: always a named, documented record. */
export interface TopicSchema extends AvroRecordSchema {
  readonly namespace: string;
  readonly doc: string;
}

/** Every topic's value schema, read from `schemas/avro/<topic>.avsc` when this module loads. */
export const schemaFiles: Readonly<Record<TopicName, TopicSchema>> = loadSchemaFiles();

/** Reads and checks one topic's `.avsc` file, keeping its JSON as written; throws naming the file when it is malformed. */
export function readTopicSchema(file: string): TopicSchema {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read schema: ${err instanceof Error ? err.message : String(err)}`);
  }
  assertAvroSchema(json, file);
  if (!isRecordSchema(json) || typeof json.namespace !== 'string' || typeof json.doc !== 'string') {
    throw new Error(`${file}: a topic value schema must be a record with a namespace and a doc`);
  }
  return { ...json, namespace: json.namespace, doc: json.doc };
}

function loadSchemaFiles(): Record<TopicName, TopicSchema> {
  const entries = topicNames.map((topic) => [topic, readTopicSchema(schemaPath(topic))] as const);
  return Object.fromEntries(entries) as Record<TopicName, TopicSchema>;
}

export function isRecordSchema(schema: AvroSchema): schema is AvroRecordSchema {
  return typeof schema === 'object' && !isUnion(schema) && schema.type === 'record';
}

export function isUnion(schema: AvroSchema): schema is AvroSingleSchema[] {
  return Array.isArray(schema);
}

export function isPrimitiveName(name: unknown): name is AvroPrimitiveName {
  return typeof name === 'string' && (avroPrimitiveNames as readonly string[]).includes(name);
}

/**
 * Checks that `json` has the structure of an Avro schema; names, references and
 * defaults are left to avsc. Properties beyond those typed here (aliases, order,
 * custom attributes) are allowed and kept.
 */
function assertAvroSchema(json: unknown, where: string): asserts json is AvroSchema {
  if (typeof json === 'string') return;
  if (Array.isArray(json)) {
    json.forEach((branch: unknown, i) => {
      if (Array.isArray(branch)) throw new Error(`${where}[${i}]: a union may not directly contain a union`);
      assertAvroSchema(branch, `${where}[${i}]`);
    });
    return;
  }
  if (!isObject(json)) throw new Error(`${where}: not an Avro schema`);
  const type = json['type'];
  switch (type) {
    case 'record': {
      checkStrings(json, ['name'], ['namespace', 'doc'], where);
      const fields = json['fields'];
      if (!Array.isArray(fields)) throw new Error(`${where}: record without fields`);
      fields.forEach((field: unknown, i) => {
        if (!isObject(field)) throw new Error(`${where}.fields[${i}]: not a field`);
        checkStrings(field, ['name'], ['doc'], `${where}.fields[${i}]`);
        assertAvroSchema(field['type'], `${where}.fields[${i}](${String(field['name'])}).type`);
      });
      return;
    }
    case 'enum': {
      checkStrings(json, ['name'], ['namespace', 'doc', 'default'], where);
      const symbols = json['symbols'];
      if (!Array.isArray(symbols) || !symbols.every((s: unknown) => typeof s === 'string')) {
        throw new Error(`${where}: enum symbols must be strings`);
      }
      return;
    }
    case 'fixed':
      checkStrings(json, ['name'], ['namespace', 'doc'], where);
      if (typeof json['size'] !== 'number') throw new Error(`${where}: fixed without size`);
      return;
    case 'array':
      assertAvroSchema(json['items'], `${where}.items`);
      return;
    case 'map':
      assertAvroSchema(json['values'], `${where}.values`);
      return;
    default:
      if (!isPrimitiveName(type)) throw new Error(`${where}: unknown type ${JSON.stringify(type)}`);
      checkStrings(json, [], ['logicalType'], where);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStrings(json: Record<string, unknown>, required: readonly string[], optional: readonly string[], where: string): void {
  for (const key of required) {
    if (typeof json[key] !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  }
  for (const key of optional) {
    if (json[key] !== undefined && typeof json[key] !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  }
}
