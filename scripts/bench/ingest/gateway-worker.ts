// The ingest gateway as `vane run ingest` runs it (Kafka acks=all, spool,
// config view), in its own process. argv: topic prefix, spool dir.
// Parent messages: 'mark' (start counting CPU), 'stop' → {maxRss, stats} once the sink is idle and closed.
import { connectionsFromEnv, readEnv } from '@vane/core';
import { startGateway } from '@vane/ingest/server';

async function main(): Promise<void> {
  const [prefix, spoolDir] = process.argv.slice(2) as [string, string];
  const gateway = await startGateway({
    settings: { host: '127.0.0.1', port: 0, secret: 'bench-secret-0123456789abcdef' },
    connections: connectionsFromEnv(process.env),
    naming: { prefix },
    spoolDir,
    spoolMaxBytes: 1024 * 1024 * 1024,
    spoolAfterMs: 2000,
    kafkaProducers: readEnv(process.env).int('VANE_INGEST_KAFKA_PRODUCERS', { default: 1, min: 1 }),
    logLevel: 'silent',
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.send!({ url: gateway.url });
  let mark = process.cpuUsage();
  process.on('message', async (message) => {
    if (message === 'mark') {
      mark = process.cpuUsage();
      process.send!('marked');
      return;
    }
    if (message !== 'stop') return;
    const used = process.cpuUsage(mark);
    const cpuMs = (used.user + used.system) / 1000;
    // Closing finishes what is in flight, so the counts include every answered request.
    await gateway.close();
    const stats = gateway.sink.stats();
    process.send!({ maxRss: process.resourceUsage().maxRSS * 1024, cpuMs, stats }, () => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway worker: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
