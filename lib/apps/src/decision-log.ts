import { Worker } from 'node:worker_threads';
import type { Type } from 'avsc';
import { VaneError, type Connections } from '@vane/core';
import type { DnsDecision, HttpDecision, SchemaCodec } from '@vane/schemas';
import { physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';
import type { FromWorker, ToWorker, WorkerConfig } from './decision-log-worker';

/**
 * Decision records to decisions.dns.v1 / decisions.http.v1 (key: app id,
 * value: Avro in the Confluent wire format with the latest registered
 * schema). `push` encodes the record and appends it to a buffer handed every
 * `lingerMs` to a worker thread that produces (acks=all, idempotent, one
 * send in flight; see decision-log-worker.ts), so logging never delays an
 * answer nor runs on the gateway's event loop. When Kafka is slow or away
 * the worker holds up to `maxBuffered` records, in order, and retries;
 * beyond that the oldest are dropped and counted (`dropped`).
 */
export type DecisionTopic = 'decisions.dns.v1' | 'decisions.http.v1';
export type DecisionRecord<T extends DecisionTopic> = T extends 'decisions.dns.v1' ? DnsDecision : HttpDecision;

export interface DecisionLogOptions {
  /** Most records buffered while Kafka is slow or away, default 100000. */
  maxBuffered?: number;
  /** Most records in one send, default 2000. */
  maxBatch?: number;
  /** Longest a record waits before it is handed to the producing thread, default 50 ms. */
  lingerMs?: number;
  log?: (line: string) => void;
}

export interface DecisionLogStats {
  pushed: number;
  sent: number;
  dropped: number;
  buffered: number;
  sendErrors: number;
}

/** Where decisions go; gateways' tests use an in-memory one. */
export interface DecisionSink<T extends DecisionTopic> {
  push(key: string, record: DecisionRecord<T>): void;
}

export class MemoryDecisionSink<T extends DecisionTopic> implements DecisionSink<T> {
  readonly records: { key: string; value: DecisionRecord<T> }[] = [];
  push(key: string, value: DecisionRecord<T>): void {
    this.records.push({ key, value });
  }
}

export class DecisionLog<T extends DecisionTopic> implements DecisionSink<T> {
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private chunkRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counters = { pushed: 0, droppedHere: 0 };
  private worker: { sent: number; dropped: number; sendErrors: number; buffered: number; lastError: string | null } = { sent: 0, dropped: 0, sendErrors: 0, buffered: 0, lastError: null };
  private closedStats: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;

  private constructor(
    private readonly thread: Worker,
    private readonly writer: { id: number; type: Type },
    private readonly codec: SchemaCodec,
    private readonly topic: string,
    private readonly maxBatch: number,
    private readonly lingerMs: number,
    private readonly log: (line: string) => void,
  ) {
    thread.on('message', (m: FromWorker) => {
      if (m.kind === 'stats' || m.kind === 'closed') {
        const { kind: _k, ...rest } = m;
        if (rest.sendErrors > this.worker.sendErrors && rest.lastError) this.log(`decision log: sending to ${this.topic} failed (${rest.lastError}); retrying`);
        this.worker = rest;
        if (m.kind === 'closed') this.resolveClosed?.();
      }
    });
    thread.on('error', (e) => this.log(`decision log: worker failed: ${e.message}`));
    thread.unref();
  }

  /**
   * Looks the topic's latest schema up once and starts the producing worker
   * (connected when this resolves).
   */
  static async create<T extends DecisionTopic>(topic: T, connections: Connections, codec: SchemaCodec, naming: TopicNaming, options: DecisionLogOptions = {}): Promise<DecisionLog<T>> {
    const id = await codec.latestId(valueSubjectOf(topic, naming));
    const type = await codec.typeOf(id);
    const config: WorkerConfig = { connections, topic: physicalTopic(topic, naming), maxBuffered: options.maxBuffered ?? 100_000, maxBatch: options.maxBatch ?? 2000 };
    const file = require.resolve('./decision-log-worker');
    const bootstrap = `${file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs'))});` : ''} require(${JSON.stringify(file)});`;
    const thread = new Worker(bootstrap, { eval: true, workerData: { decisionLog: config } });
    const ready = await new Promise<FromWorker>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    if (ready.kind !== 'ready') {
      await thread.terminate();
      throw new VaneError('VANE_ERR_KAFKA', `the decision log could not connect to Kafka: ${ready.kind === 'failed' ? ready.message : ready.kind}`, { retriable: true });
    }
    return new DecisionLog<T>(thread, { id, type }, codec, config.topic, config.maxBatch, options.lingerMs ?? 50, options.log ?? (() => undefined));
  }

  push(key: string, value: DecisionRecord<T>): void {
    if (this.closed) {
      this.counters.droppedHere++;
      return;
    }
    let encoded: Buffer;
    try {
      encoded = this.codec.encodeWith(this.writer.id, this.writer.type, value);
    } catch (error) {
      // A record that does not fit the schema is a gateway bug: count it, never block.
      this.counters.droppedHere++;
      this.log(`decision log: dropped a record that does not fit ${this.topic}: ${(error as Error).message}`);
      return;
    }
    this.counters.pushed++;
    const keyBytes = Buffer.from(key, 'utf8');
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(keyBytes.length, 0);
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(encoded.length, 0);
    this.chunks.push(head, keyBytes, length, encoded);
    this.chunkBytes += 6 + keyBytes.length + encoded.length;
    this.chunkRecords++;
    if (this.chunkRecords >= this.maxBatch) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.lingerMs);
      this.timer.unref();
    }
  }

  /** Hands the records pushed since the last flush to the worker (one transferred buffer). */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.chunkRecords === 0) return;
    const frame = Buffer.allocUnsafeSlow(this.chunkBytes);
    let o = 0;
    for (const c of this.chunks) o += c.copy(frame, o);
    this.chunks = [];
    this.chunkBytes = 0;
    this.chunkRecords = 0;
    const buffer = frame.buffer as ArrayBuffer;
    this.thread.postMessage({ kind: 'batch', frame: buffer } satisfies ToWorker, [buffer]);
  }

  stats(): DecisionLogStats {
    return { pushed: this.counters.pushed, sent: this.worker.sent, dropped: this.counters.droppedHere + this.worker.dropped, buffered: this.worker.buffered + this.chunkRecords, sendErrors: this.worker.sendErrors };
  }

  /** Sends what is buffered (for at most `timeoutMs`), then stops the worker; later pushes are dropped. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closedStats) return this.closedStats;
    this.flush();
    this.closed = true;
    this.closedStats = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
      this.thread.postMessage({ kind: 'close', timeoutMs } satisfies ToWorker);
      setTimeout(resolve, timeoutMs + 2000).unref();
    }).then(async () => {
      await this.thread.terminate();
    });
    return this.closedStats;
  }
}
