import type { RemoteInfo } from 'node:dgram';
import type { AddressInfo, Socket } from 'node:net';
import dns2 from 'dns2';
import { AppHost, DecisionLog, SnapshotScores, sandboxLimitsFromEnv } from '@vane/apps';
import { ConfigView } from '@vane/config-model';
import { connectionsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { openGeo } from '@vane/network';
import { SchemaCodec } from '@vane/schemas';
import { createScoreClient, startScoreClient } from '@vane/score-client';
import { createKafka, namingFromEnv, type TopicNaming } from '@vane/topics';
import { DnsGateway, build } from './app';
import { defaultSettings, resolveSettings, type DnsSettings } from './options';

/** Settings for startGateway, for callers that start the gateway in-process (tests, benchmarks). */
export { resolveSettings, type DnsSettings, type DnsSettingsInput } from './options';

/** Everything the running gateway needs, read from the environment once (by main.ts). */
export interface ServerOptions {
  settings: DnsSettings;
  connections: Connections;
  naming: TopicNaming;
  /** VANE_SNAPSHOTS_URL: the snapshots gateway scores come from, default http://127.0.0.1:7075. */
  snapshotsUrl: string;
  log: (line: string) => void;
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  const read = readEnv(env);
  const names = read.list('VANE_DNS_NAMESERVERS')?.map((s) => s.toLowerCase().replace(/\.$/, '')).filter(Boolean);
  return {
    settings: resolveSettings({
      host: read.string('VANE_DNS_HOST', { default: defaultSettings.host }),
      port: read.port('VANE_DNS_PORT', { default: defaultSettings.port }),
      nameservers: names ?? defaultSettings.nameservers,
      hostmaster: read.string('VANE_DNS_HOSTMASTER', { default: defaultSettings.hostmaster }),
      negativeTtl: read.int('VANE_DNS_NEGATIVE_TTL', { default: defaultSettings.negativeTtl, min: 1 }),
      maxUdpPayload: read.int('VANE_DNS_MAX_UDP_PAYLOAD', { default: defaultSettings.maxUdpPayload, min: 512, max: 4096 }),
      tcpIdleMs: read.int('VANE_DNS_TCP_IDLE_MS', { default: defaultSettings.tcpIdleMs, min: 1 }),
      sandbox: sandboxLimitsFromEnv(env),
    }),
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    snapshotsUrl: read.string('VANE_SNAPSHOTS_URL', { default: 'http://127.0.0.1:7075' }),
    log,
  };
}

export interface DnsListener {
  /** The port bound (UDP and TCP share it). */
  port: number;
  close(): Promise<void>;
}

/**
 * dns2's UDP server, handing raw messages to the gateway instead of parsing
 * them with dns2's parser first (see wire-check.ts for why).
 */
class GatewayUdpServer extends dns2.UDPServer {
  constructor(
    type: 'udp4' | 'udp6',
    private readonly gateway: DnsGateway,
    private readonly log: (line: string) => void,
  ) {
    super({ type });
  }

  override handle(data: Buffer, rinfo: RemoteInfo): void {
    this.gateway.answer(data, 'udp', rinfo.address).then(
      (bytes) => {
        if (bytes) this.send(bytes, rinfo.port, rinfo.address);
      },
      (e: Error) => this.log(`dns: answering over udp failed: ${e.stack ?? e.message}`),
    );
  }
}

/**
 * dns2's TCP server with the same rule: RFC 1035 §4.2.2 framing (two-byte
 * length), pipelined queries answered as they complete (RFC 7766 §6.2.1.1),
 * idle connections closed; a message the gateway drops ends the connection.
 */
class GatewayTcpServer extends dns2.TCPServer {
  constructor(
    private readonly gateway: DnsGateway,
    private readonly idleMs: number,
    private readonly log: (line: string) => void,
  ) {
    super();
  }

  handle(socket: Socket): void {
    let buffered: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    let ended = false;
    socket.setTimeout(this.idleMs, () => socket.end());
    socket.on('error', () => socket.destroy());
    const finish = (): void => {
      if (ended && inFlight === 0 && !socket.destroyed) socket.end();
    };
    socket.on('end', () => {
      ended = true;
      if (buffered.length > 0) socket.destroy();
      else finish();
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        inFlight++;
        this.gateway.answer(message, 'tcp', socket.remoteAddress ?? '').then(
          (bytes) => {
            inFlight--;
            if (!bytes) {
              socket.destroy();
              return;
            }
            if (!socket.destroyed && socket.writable) {
              const frame = Buffer.allocUnsafe(2 + bytes.length);
              frame.writeUInt16BE(bytes.length, 0);
              bytes.copy(frame, 2);
              socket.write(frame);
            }
            finish();
          },
          (e: Error) => {
            inFlight--;
            this.log(`dns: answering over tcp failed: ${e.stack ?? e.message}`);
            socket.destroy();
          },
        );
      }
    });
  }
}

/**
 * Binds the UDP and TCP servers on one port (0 = a random free one, the same
 * for both) and answers with the gateway.
 */
export async function listen(gateway: DnsGateway, host: string, port: number, log: (line: string) => void = () => undefined): Promise<DnsListener> {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; ; attempt++) {
    const udp = new GatewayUdpServer(type, gateway, log);
    const tcp = new GatewayTcpServer(gateway, gateway.settings.tcpIdleMs, log);
    const sockets = new Set<Socket>();
    tcp.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const bound = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => resolve((udp.address() as AddressInfo).port));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(bound, host, () => resolve());
      });
    } catch (error) {
      udp.close();
      // A random UDP port whose TCP twin is taken: try another.
      if (port === 0 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
      throw error;
    }
    udp.on('error', (e: Error) => log(`dns: udp: ${e.message}`));
    tcp.on('error', (e: Error) => log(`dns: tcp: ${e.message}`));
    return {
      port: bound,
      async close() {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }
}

export interface RunningGateway {
  gateway: DnsGateway;
  listener: DnsListener;
  hostApps: AppHost;
  decisions: DecisionLog<'decisions.dns.v1'>;
  close(): Promise<void>;
}

/**
 * Starts the gateway: the config view (caught up), the score client
 * (snapshot loaded, deltas followed), every published app loaded, the
 * decision log's producer, then binds UDP and TCP.
 */
export async function startGateway(options: ServerOptions): Promise<RunningGateway> {
  const { connections, naming, log, settings } = options;
  const codec = new SchemaCodec(connections.registryUrl);
  const kafka = createKafka(connections, 'dns');
  const view = new ConfigView({ kafka, codec, naming, groupPrefix: `${connections.kafkaClientId}-dns-config`, onError: (e) => log(`dns: skipped a config change: ${(e as Error).message}`) });
  const client = createScoreClient({ url: options.snapshotsUrl, log: (l) => log(`dns: ${l}`) });
  const scores = new SnapshotScores(client);
  let hostApps: AppHost | undefined;
  let gateway: DnsGateway | undefined;
  try {
    const decisions = await DecisionLog.create('decisions.dns.v1', connections, codec, naming, { log: (l) => log(`dns: ${l}`) });
    await view.start();
    await startScoreClient(client, (l) => log(`dns: ${l}`));
    scores.ready = true;
    hostApps = new AppHost({ config: view.state, scores, limits: settings.sandbox, log: (l) => log(`dns: ${l}`) });
    await hostApps.start();
    gateway = build({ settings, config: view.state, host: hostApps, geo: openGeo(), sink: decisions });
    const listener = await listen(gateway, settings.host, settings.port, log);
    const running = { hostApps, gateway };
    return {
      gateway,
      listener,
      hostApps,
      decisions,
      async close() {
        await listener.close();
        running.gateway.close();
        running.hostApps.stop();
        await decisions.close();
        await client.stop();
        await view.stop();
      },
    };
  } catch (error) {
    gateway?.close();
    hostApps?.stop();
    await client.stop().catch(() => undefined);
    await view.stop().catch(() => undefined);
    throw error;
  }
}
