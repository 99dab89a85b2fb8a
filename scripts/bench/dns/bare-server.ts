// The baseline of the DNS benchmark: a bare dns2 UDP server answering every
// query with one fixed CNAME (the same size of answer the gateway gives).
// Forked by index.ts: sends {port} when listening, {maxRss} on 'stop'.
import dns2, { Packet } from 'dns2';

const server = dns2.createServer({
  udp: true,
  handle: (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    if (question) response.answers.push({ name: question.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 30, domain: 'acme.cdn-a.net' } as Packet.Resource);
    void send(response);
  },
});

void server.listen({ udp: { port: 0, address: '127.0.0.1' } }).then((addresses) => process.send!({ port: addresses.udp!.port }));
process.on('message', (m) => {
  if (m !== 'stop') return;
  void server.close().then(() => {
    process.send!({ maxRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
  });
});
