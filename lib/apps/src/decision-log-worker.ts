import { parentPort, workerData } from 'node:worker_threads';
import { createKafka } from '@vane/topics';
import type { Connections } from '@vane/core';

/**
 * The Kafka side of DecisionLog (decision-log.ts), in a worker thread so
 * that producing (record batches, CRCs, socket writes, retries) never runs
 * on a gateway's event loop. Messages from the gateway:
 *   { kind: 'batch', frame: ArrayBuffer }  records framed as
 *       [u16 key length][key][u32 value length][value]…
 *   { kind: 'close', timeoutMs }           send what is held, then exit
 * To the gateway: { kind: 'stats', sent, dropped, sendErrors, buffered }
 * after every send, { kind: 'ready' } once connected, { kind: 'closed' }.
 */
export interface WorkerConfig {
  connections: Connections;
  topic: string;
  maxBuffered: number;
  maxBatch: number;
}

export type ToWorker = { kind: 'batch'; frame: ArrayBuffer } | { kind: 'close'; timeoutMs: number };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'stats'; sent: number; dropped: number; sendErrors: number; buffered: number; lastError: string | null }
  | { kind: 'closed'; sent: number; dropped: number; sendErrors: number; buffered: number; lastError: string | null };

interface Message {
  key: Buffer;
  value: Buffer;
}

function unframe(frame: ArrayBuffer): Message[] {
  const buf = Buffer.from(frame);
  const out: Message[] = [];
  for (let o = 0; o < buf.length; ) {
    const keyLength = buf.readUInt16BE(o);
    const key = buf.subarray(o + 2, o + 2 + keyLength);
    o += 2 + keyLength;
    const valueLength = buf.readUInt32BE(o);
    out.push({ key, value: buf.subarray(o + 4, o + 4 + valueLength) });
    o += 4 + valueLength;
  }
  return out;
}

async function run(config: WorkerConfig): Promise<void> {
  const port = parentPort!;
  const producer = createKafka(config.connections, 'decisions').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 } });
  let held: Message[] = [];
  const counters = { sent: 0, dropped: 0, sendErrors: 0, lastError: null as string | null };
  let sending = false;
  let closing = false;
  let backoffMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const stats = (kind: 'stats' | 'closed'): FromWorker => ({ kind, ...counters, buffered: held.length });

  const sendSome = async (): Promise<void> => {
    if (sending || held.length === 0) return;
    sending = true;
    const batch = held.slice(0, config.maxBatch);
    try {
      await producer.send({ topic: config.topic, acks: -1, messages: batch });
      // Records dropped for overflow meanwhile shift the front: drop by identity.
      const last = held.indexOf(batch[batch.length - 1]!);
      held.splice(0, last >= 0 ? last + 1 : 0);
      counters.sent += batch.length;
      backoffMs = 0;
    } catch (error) {
      counters.sendErrors++;
      counters.lastError = (error as Error).message;
      backoffMs = Math.min(Math.max(backoffMs * 2, 200), 5000);
    } finally {
      sending = false;
      port.postMessage(stats('stats'));
    }
    if (held.length > 0 && !closing) schedule();
  };

  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sendSome();
    }, backoffMs);
  };

  port.on('message', (m: ToWorker) => {
    if (m.kind === 'batch') {
      held.push(...unframe(m.frame));
      if (held.length > config.maxBuffered) {
        const excess = held.length - config.maxBuffered;
        held.splice(0, excess);
        counters.dropped += excess;
      }
      if (!sending) schedule();
    } else if (m.kind === 'close') {
      closing = true;
      void (async () => {
        const deadline = Date.now() + m.timeoutMs;
        clearTimeout(timer);
        while (held.length > 0 && Date.now() < deadline) {
          while (sending) await new Promise((r) => setTimeout(r, 5));
          await sendSome();
          if (backoffMs > 0) await new Promise((r) => setTimeout(r, Math.min(backoffMs, Math.max(0, deadline - Date.now()))));
        }
        counters.dropped += held.length;
        held = [];
        await producer.disconnect().catch(() => undefined);
        port.postMessage(stats('closed'));
      })();
    }
  });

  try {
    await producer.connect();
    port.postMessage({ kind: 'ready' } satisfies FromWorker);
  } catch (error) {
    port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies FromWorker);
  }
}

if (parentPort && (workerData as { decisionLog?: WorkerConfig } | undefined)?.decisionLog) {
  void run((workerData as { decisionLog: WorkerConfig }).decisionLog);
}
