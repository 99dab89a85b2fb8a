import { serverOptionsFromEnv, startService } from './server';

/** `vane run config`: the config service in the foreground until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const options = serverOptionsFromEnv(env, log);
  const service = await startService(options);
  log(`config: listening on ${service.url} (topics prefix '${options.naming.prefix}', ${JSON.stringify(service.view.state.counts())}; operator token in ${env.VANE_CONFIG_OPERATOR_TOKEN ? 'VANE_CONFIG_OPERATOR_TOKEN' : options.operatorTokenFile})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('config: stopping');
  await service.close();
}
