import type { Producer, TopicMessages } from 'kafkajs';
import { VaneError } from '@vane/core';
import type { Spool, SpoolBatch, SpooledRecord } from './spool';

/**
 * Where accepted records go: the gateway's one path to Kafka.
 *
 * Guarantee (nothing accepted is lost): `accept()` resolves only
 * once its records are acknowledged by Kafka (acks=all, idempotent
 * producers) or written and fsynced to the local spool; callers answer 2xx
 * only then.
 *
 * Modes:
 * - direct: records are sent in micro-batches through a small pool of
 *   idempotent producers, each with one send in flight (a batch is everything
 *   that arrived while the producers were busy). A send that fails, or is not
 *   acknowledged within `spoolAfterMs`, switches to spool mode: that batch
 *   and everything queued after it are spooled.
 * - spool: records are appended to the spool (group commit: one fsync per
 *   append of everything queued); a drainer sends the spool to Kafka in
 *   append order and, once it is empty and no send is in flight, switches
 *   back to direct. A full spool refuses records with VANE_ERR_SPOOL_FULL
 *   (the HTTP layer answers 503).
 * A spool left non-empty by a previous run is drained at start.
 *
 * Duplicates: a batch whose send failed or timed out is "in doubt" (it may
 * have landed). It is spooled; its producer sends nothing else until the
 * drainer reaches it: if the send finally succeeded the drainer skips it,
 * else it resends exactly the same batch through the same producer, so the
 * broker's idempotence deduplicates it. Only a crash (or a stop while Kafka
 * is down) between a send and the spool's cursor commit can repeat records;
 * their event ids let consumers deduplicate.
 */
export type Delivery = 'kafka' | 'spool';

export interface RecordSink {
  accept(records: readonly SpooledRecord[]): Promise<Delivery>;
  stats(): SinkStats;
  close(timeoutMs?: number): Promise<void>;
}

export interface SinkStats {
  mode: 'direct' | 'spool';
  sentDirect: number;
  spooled: number;
  drained: number;
  refusedFull: number;
  sendFailures: number;
  /** Direct sends acknowledged, and their total time (for the mean batch size and latency). */
  directSends: number;
  directSendMs: number;
  spoolBytes: number;
  spoolMaxBytes: number;
  queued: number;
}

export interface DurableSinkOptions {
  /** Producers for direct sends (idempotent, one send in flight each); at least one. */
  producers: Producer[];
  /** Producer of the drainer (idempotent); it sends only spooled records. */
  drainProducer: Producer;
  spool: Spool;
  /** A direct send not acknowledged within this long goes to the spool (default 2000 ms). */
  spoolAfterMs?: number;
  /** Most records per direct send (default 2000). */
  maxBatchRecords?: number;
  /** Most records per drained send (default 1000). */
  drainBatchRecords?: number;
  /** Pause after a failed drain send (default 1000 ms). */
  retryDelayMs?: number;
  log?: (message: string) => void;
}

interface Entry {
  records: readonly SpooledRecord[];
  bytes: number;
  resolve: (delivery: Delivery) => void;
  reject: (error: unknown) => void;
}

/** A spooled batch whose direct send may or may not have landed. */
interface InDoubt {
  producer: Producer;
  /** Index of its first record among the records spooled since the switch to spool mode. */
  start: number;
  count: number;
  landed: Promise<boolean>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function spooledSize(record: SpooledRecord): number {
  return 8 + 2 + Buffer.byteLength(record.topic) + 4 + Buffer.byteLength(record.key) + 4 + record.value.length;
}

function topicMessages(records: readonly SpooledRecord[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const r of records) {
    let t = byTopic.get(r.topic);
    if (!t) {
      t = { topic: r.topic, messages: [] };
      byTopic.set(r.topic, t);
    }
    t.messages.push({ key: r.key, value: r.value });
  }
  return [...byTopic.values()];
}

export class DurableSink implements RecordSink {
  private mode: 'direct' | 'spool' = 'direct';
  private readonly queue: Entry[] = [];
  private readonly free: Producer[];
  private inFlight = 0;
  /** Spool appends in progress. */
  private appending = 0;
  private draining: Promise<void> | undefined;
  /** In-doubt batches, in spool order. */
  private readonly inDoubt: InDoubt[] = [];
  /** Records appended to / read from the spool since the last switch to spool mode. */
  private spooledSinceSwitch = 0;
  private drainedSinceSwitch = 0;
  private stopping = false;
  private readonly counters = { sentDirect: 0, spooled: 0, drained: 0, refusedFull: 0, sendFailures: 0, directSends: 0, directSendMs: 0 };
  private readonly spoolAfterMs: number;
  private readonly maxBatchRecords: number;
  private readonly drainBatchRecords: number;
  private readonly retryDelayMs: number;
  private readonly log: (message: string) => void;
  private readonly producers: Producer[];
  private readonly drainProducer: Producer;
  private readonly spool: Spool;

  constructor(options: DurableSinkOptions) {
    if (options.producers.length === 0) throw new Error('DurableSink needs at least one producer');
    this.producers = [...options.producers];
    this.free = [...options.producers];
    this.drainProducer = options.drainProducer;
    this.spool = options.spool;
    this.spoolAfterMs = options.spoolAfterMs ?? 2000;
    this.maxBatchRecords = options.maxBatchRecords ?? 2000;
    this.drainBatchRecords = options.drainBatchRecords ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.log = options.log ?? (() => undefined);
    if (!this.spool.isEmpty) {
      this.mode = 'spool';
      this.log(`spool holds ${this.spool.pendingBytes} bytes from a previous run: draining it to Kafka first`);
      this.startDrainer();
    }
  }

  accept(records: readonly SpooledRecord[]): Promise<Delivery> {
    if (records.length === 0) return Promise.resolve('kafka');
    if (this.stopping) return Promise.reject(new VaneError('VANE_ERR_SPOOL', 'the gateway is shutting down', { retriable: true }));
    let bytes = 0;
    for (const r of records) bytes += spooledSize(r);
    if (this.mode === 'spool' && !this.spool.hasRoom(bytes)) {
      this.counters.refusedFull += records.length;
      return Promise.reject(this.fullError());
    }
    return new Promise<Delivery>((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.kick();
    });
  }

  stats(): SinkStats {
    return {
      mode: this.mode,
      ...this.counters,
      spoolBytes: this.spool.pendingBytes,
      spoolMaxBytes: this.spool.maxBytes,
      queued: this.queue.reduce((n, e) => n + e.records.length, 0),
    };
  }

  private fullError(): VaneError {
    return new VaneError('VANE_ERR_SPOOL_FULL', 'Kafka is unreachable and the local spool is full; retry later', { retriable: true });
  }

  /** Starts what can start: direct sends on free producers, or one spool append. */
  private kick(): void {
    if (this.mode === 'direct') {
      while (this.queue.length > 0 && this.free.length > 0 && this.mode === 'direct') void this.sendDirect(this.free.pop()!, this.takeBatch());
    } else if (this.appending === 0 && this.queue.length > 0) {
      void this.appendEntries(this.queue.splice(0), undefined).then(() => this.kick());
    }
  }

  private takeBatch(): Entry[] {
    const batch: Entry[] = [];
    let count = 0;
    while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.records.length <= this.maxBatchRecords)) {
      const entry = this.queue.shift()!;
      batch.push(entry);
      count += entry.records.length;
    }
    return batch;
  }

  private send(producer: Producer, records: readonly SpooledRecord[]): Promise<unknown> {
    return producer.sendBatch({ topicMessages: topicMessages(records), acks: -1 });
  }

  private async sendDirect(producer: Producer, batch: Entry[]): Promise<void> {
    this.inFlight++;
    const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((e) => e.records);
    const started = performance.now();
    const sending = this.send(producer, records);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      sending.then(
        () => 'sent' as const,
        (error: unknown) => error,
      ),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.spoolAfterMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'sent') {
      this.counters.sentDirect += records.length;
      this.counters.directSends++;
      this.counters.directSendMs += performance.now() - started;
      for (const e of batch) e.resolve('kafka');
      this.inFlight--;
      this.free.push(producer);
      this.kick();
      return;
    }
    this.counters.sendFailures++;
    if (this.mode === 'direct') {
      this.mode = 'spool';
      this.spooledSinceSwitch = 0;
      this.drainedSinceSwitch = 0;
      this.log(
        outcome === 'timeout'
          ? `Kafka did not acknowledge within ${this.spoolAfterMs} ms: spooling to ${this.spool.dir}`
          : `sending to Kafka failed (${(outcome as Error).message}): spooling to ${this.spool.dir}`,
      );
    }
    // The batch may still land (a send that timed out goes on in the background):
    // the drainer waits for it to settle, then skips it or resends it through the same producer.
    const landed = outcome === 'timeout' ? sending.then(() => true, () => false) : Promise.resolve(false);
    this.inDoubt.push({ producer, start: this.spooledSinceSwitch, count: records.length, landed });
    this.inFlight--;
    await this.appendEntries(batch, producer);
    this.startDrainer();
    this.kick();
  }

  /**
   * Appends entries to the spool (in call order); entries that do not fit are
   * refused. An in-doubt batch (`inDoubtOf` set) is always written, even over
   * the limit: it is already held and may already be in Kafka.
   */
  private async appendEntries(entries: Entry[], inDoubtOf: Producer | undefined): Promise<void> {
    const fitting: Entry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (inDoubtOf || this.spool.hasRoom(bytes + entry.bytes)) {
        fitting.push(entry);
        bytes += entry.bytes;
      } else {
        this.counters.refusedFull += entry.records.length;
        entry.reject(this.fullError());
      }
    }
    if (fitting.length === 0) return;
    const records = fitting.flatMap((e) => e.records);
    // Counted when the append is issued: appends reach the file in call order.
    this.spooledSinceSwitch += records.length;
    this.appending++;
    try {
      await this.spool.append(records, { ignoreLimit: inDoubtOf !== undefined });
      this.counters.spooled += records.length;
      for (const e of fitting) e.resolve('spool');
    } catch (error) {
      for (const e of fitting) e.reject(error);
      this.log(`writing to the spool failed: ${(error as Error).message}`);
      if (inDoubtOf) {
        // Not spooled, so not resent. If its send did land, the producer is fine; if not
        // known, its next batch could be taken for a duplicate of this one: retire it.
        const i = this.inDoubt.findIndex((d) => d.producer === inDoubtOf);
        const doubt = i >= 0 ? this.inDoubt.splice(i, 1)[0] : undefined;
        void (doubt?.landed ?? Promise.resolve(false)).then((landed) => {
          if (landed) this.free.push(inDoubtOf);
          else this.log('a Kafka producer was retired after an unrecoverable spool write');
        });
      }
    } finally {
      this.appending--;
    }
  }

  private startDrainer(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Sends one spooled batch until Kafka takes it (same batch, same producer, on every retry). */
  private async sendUntilTaken(producer: Producer, batch: SpoolBatch): Promise<boolean> {
    let logged = false;
    while (!this.stopping) {
      try {
        await this.send(producer, batch.records);
        return true;
      } catch (error) {
        this.counters.sendFailures++;
        if (!logged) this.log(`draining the spool: Kafka refused a batch (${(error as Error).message}); retrying`);
        logged = true;
        await sleep(this.retryDelayMs);
      }
    }
    return false;
  }

  private async drain(): Promise<void> {
    while (!this.stopping) {
      try {
        const doubt = this.inDoubt[0];
        if (doubt && doubt.start === this.drainedSinceSwitch) {
          const landed = await doubt.landed;
          const batch = await this.spool.read(doubt.count, Number.MAX_SAFE_INTEGER);
          if (landed) {
            this.counters.sentDirect += doubt.count;
            this.counters.spooled -= doubt.count;
          } else if (!(await this.sendUntilTaken(doubt.producer, batch))) {
            return;
          } else {
            this.counters.drained += doubt.count;
          }
          await this.spool.commit(batch.end, landed ? 0 : doubt.count);
          this.drainedSinceSwitch += doubt.count;
          this.inDoubt.shift();
          this.free.push(doubt.producer);
          continue;
        }
        const limit = doubt ? Math.min(this.drainBatchRecords, doubt.start - this.drainedSinceSwitch) : this.drainBatchRecords;
        const batch = limit > 0 ? await this.spool.read(limit) : { records: [], end: { segment: 0, offset: 0 } };
        if (batch.records.length === 0) {
          if (!doubt && this.queue.length === 0 && this.appending === 0 && this.inFlight === 0 && this.spool.isEmpty) {
            this.mode = 'direct';
            this.log('spool drained: sending directly to Kafka again');
            this.kick();
            return;
          }
          await sleep(5);
          continue;
        }
        if (!(await this.sendUntilTaken(this.drainProducer, batch))) return;
        await this.spool.commit(batch.end, batch.records.length);
        this.counters.drained += batch.records.length;
        this.drainedSinceSwitch += batch.records.length;
      } catch (error) {
        // Spool I/O trouble (or the spool closed under us while stopping).
        if (this.stopping) return;
        this.log(`draining the spool failed (${(error as Error).message}); retrying`);
        await sleep(this.retryDelayMs);
      }
    }
  }

  /**
   * Stops taking records, finishes what is queued and in flight, gives the
   * drainer up to `timeoutMs` to empty the spool, then disconnects. What is
   * still spooled is drained by the next start.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.inFlight > 0 || this.appending > 0 || this.queue.length > 0) && Date.now() < deadline) await sleep(10);
    while (this.draining && Date.now() < deadline) await sleep(20);
    this.stopping = true;
    const draining = this.draining;
    await Promise.all([...this.producers, this.drainProducer].map((p) => p.disconnect().catch(() => undefined)));
    if (draining) await Promise.race([draining.catch(() => undefined), sleep(2000)]);
    await this.spool.close();
  }
}
