import { serverOptionsFromEnv, startGateway } from './server';

/** `vane run decide`: the HTTP decision gateway in the foreground until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const options = serverOptionsFromEnv(env, log);
  const gateway = await startGateway(options);
  log(`decide: listening on ${gateway.url} (${gateway.hostApps.status().length} apps, scores from ${options.snapshotsUrl})`);
  const timer = setInterval(() => log(`decide: ${JSON.stringify(gateway.decisions.stats())}`), 60_000);
  timer.unref();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  log('decide: stopping');
  await gateway.close();
  log(`decide: stopped ${JSON.stringify(gateway.decisions.stats())}`);
}
