import { serverOptionsFromEnv, startGateway } from './server';

/** `vane run dns`: the DNS gateway in the foreground until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const options = serverOptionsFromEnv(env, log);
  const running = await startGateway(options);
  const { host } = options.settings;
  log(`dns: answering on ${host}:${running.listener.port} udp+tcp (${running.gateway.zones.size} zones, ${running.hostApps.status().length} apps, scores from ${options.snapshotsUrl})`);
  const timer = setInterval(() => log(`dns: ${JSON.stringify({ ...running.gateway.stats(), log: running.decisions.stats() })}`), 60_000);
  timer.unref();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  log('dns: stopping');
  await running.close();
  log(`dns: stopped ${JSON.stringify({ ...running.gateway.stats(), log: running.decisions.stats() })}`);
}
