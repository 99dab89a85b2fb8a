// kafkajs warns on every producer about a partitioner change made in 2.0; Vane always uses the default one.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { quietKafkajsTimers, type Connections } from '@vane/core';

/**
 * One kafkajs client per process role. kafkajs's own console logging is
 * replaced by errors-only output to stderr (it is otherwise noisy on every
 * rebalance and reconnect); callers get structured errors instead.
 */
export function createKafka(connections: Pick<Connections, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaDebug'>, role: string): Kafka {
  quietKafkajsTimers();
  return new Kafka({
    clientId: `${connections.kafkaClientId}-${role}`,
    brokers: connections.kafkaBrokers,
    logLevel: logLevel.ERROR,
    logCreator: () => (entry: LogEntry) => {
      if (connections.kafkaDebug) process.stderr.write(`kafkajs ${entry.namespace}: ${entry.log.message}\n`);
    },
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
