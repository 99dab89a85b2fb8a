import { serverOptionsFromEnv, startServer } from './server';

/** `vane run snapshots`: serves score snapshots and deltas until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const options = serverOptionsFromEnv(env);
  const running = await startServer(options);
  options.log(`snapshots: listening on ${running.url} (GET /v1/snapshots/scores, /v1/snapshots/scores/deltas?since=, /healthz)`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      options.log(`snapshots: ${signal}, closing`);
      void running.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
