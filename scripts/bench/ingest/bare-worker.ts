// The baseline: a bare Fastify route that answers 204, in its own process
// (so its peak RSS is its own). Parent messages: 'stop' → {maxRss}.
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/api/v1/beacon', async (_request, reply) => reply.code(204).send());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  process.send!({ url: `http://127.0.0.1:${port}` });
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
    await app.close();
    process.send!({ maxRss: process.resourceUsage().maxRSS * 1024, cpuMs }, () => process.exit(0));
  });
}

void main();
