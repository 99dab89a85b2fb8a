import { serverOptionsFromEnv, startGateway } from './server';

/** `vane run ingest`: the ingest gateway in the foreground until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const options = serverOptionsFromEnv(env, log);
  const gateway = await startGateway(options);
  log(`ingest: listening on ${gateway.url} (topics prefix '${options.naming.prefix}', spool ${options.spoolDir}, ${JSON.stringify(gateway.config.state.counts())})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('ingest: stopping (finishing requests in progress, draining what Kafka takes within 10 s)');
  await gateway.close();
  log(`ingest: stopped ${JSON.stringify(gateway.sink.stats())}`);
}
