/**
 * Starts a score client, retrying while the snapshots gateway is not up yet
 * (components start in any order), for at most `timeoutMs`; then rethrows the
 * last error.
 */
export async function startScoreClient(client: { start(): Promise<void> }, log: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.start();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      if (attempt === 1 || attempt % 10 === 0) log(`waiting for the score snapshot (${(error as Error).message})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
