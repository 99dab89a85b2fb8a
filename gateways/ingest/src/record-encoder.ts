import type { Type } from 'avsc';
import { avroType, SchemaCodec, schemaFiles, type Beacon, type Download, type Measurement, type ServerLogLine, type TopicName } from '@vane/schemas';
import { physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';
import type { SpooledRecord } from './spool';

/** The topics the ingest gateway writes, with the record type of each. */
export interface IngestRecords {
  'ingest.beacons.v1': Beacon;
  'ingest.serverlogs.v1': ServerLogLine;
  'ingest.measurements.v1': Measurement;
  'ingest.downloads.v1': Download;
}
export type IngestTopic = keyof IngestRecords & TopicName;
const ingestTopics: readonly IngestTopic[] = ['ingest.beacons.v1', 'ingest.serverlogs.v1', 'ingest.measurements.v1', 'ingest.downloads.v1'];

/**
 * Encodes records in the Confluent wire format with the latest schema
 * registered for each topic's value subject, looked up once at start
 * (`RecordEncoder.create`), so encoding in a request is synchronous.
 */
export class RecordEncoder {
  private constructor(
    private readonly codec: SchemaCodec,
    private readonly naming: TopicNaming,
    private readonly writers: Map<IngestTopic, { id: number; type: Type }>,
  ) {}

  static async create(codec: SchemaCodec, naming: TopicNaming): Promise<RecordEncoder> {
    const writers = new Map<IngestTopic, { id: number; type: Type }>();
    for (const topic of ingestTopics) {
      const id = await codec.latestId(valueSubjectOf(topic, naming));
      writers.set(topic, { id, type: await codec.typeOf(id) });
    }
    return new RecordEncoder(codec, naming, writers);
  }

  /**
   * An encoder that needs no registry: the catalogue's schemas with made-up
   * ids 1…4 (for unit tests and offline tools; records it makes are not for Kafka).
   */
  static offline(naming: TopicNaming = { prefix: '' }): RecordEncoder {
    const writers = new Map<IngestTopic, { id: number; type: Type }>();
    ingestTopics.forEach((topic, i) => writers.set(topic, { id: i + 1, type: avroType(schemaFiles[topic]) }));
    return new RecordEncoder(new SchemaCodec('http://127.0.0.1:9/offline'), naming, writers);
  }

  /** The writer type of a topic (to decode what this encoder made). */
  typeOf(topic: IngestTopic): Type {
    return this.writers.get(topic)!.type;
  }

  /** A record ready for the sink; throws VANE_ERR_VALIDATION naming the field when the value does not fit the schema. */
  record<T extends IngestTopic>(topic: T, key: string, value: IngestRecords[T]): SpooledRecord {
    const writer = this.writers.get(topic)!;
    return { topic: physicalTopic(topic, this.naming), key, value: this.codec.encodeWith(writer.id, writer.type, value) };
  }
}
