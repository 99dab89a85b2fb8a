import { serverOptionsFromEnv, startGateway } from './server';

/** `vane run realtime`: the realtime gateway (Stats API, websocket model stream) until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const gateway = await startGateway(serverOptionsFromEnv(env, log));
  log(`realtime: listening on ${gateway.url}/ (POST /api/v2/query, websocket /ws, /healthz)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('realtime: stopping');
  await gateway.close();
}
