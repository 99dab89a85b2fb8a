import type { Command } from 'commander';
import { VaneError } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import {
  ConfigView,
  configChange,
  createKafka,
  keyEntityId,
  keyHash,
  keyScopes,
  newSiteId,
  newSiteKey,
  probeTypes,
  writeConfigChanges,
  type KeyPayload,
  type KeyScope,
  type ProbeTarget,
  type ProbeType,
  type ProviderPayload,
  type SitePayload,
} from '@vane/topics';
import type { ConfigChange } from '@vane/schemas';
import type { CliEnvironment } from '../environment';

/**
 * `vane sites create|list` and `vane keys revoke`: sites and ingest keys in
 * config.changes.v1, until a config service owns them. Output is one JSON
 * object per line.
 */

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseProbe(raw: string): { provider: string; probe: ProbeTarget } {
  const m = /^([A-Za-z0-9._-]+):([a-z]+)=(https?:\/\/\S+)$/.exec(raw);
  if (!m || !(probeTypes as readonly string[]).includes(m[2]!)) {
    throw new VaneError('VANE_ERR_USAGE', `--probe takes <provider>:<${probeTypes.join('|')}>=<http(s) URL>, got '${raw}'`);
  }
  return { provider: m[1]!, probe: { type: m[2] as ProbeType, url: m[3]! } };
}

function parseScopes(raw: string): KeyScope[] {
  const scopes = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) {
    if (!(keyScopes as readonly string[]).includes(s)) throw new VaneError('VANE_ERR_USAGE', `unknown key scope '${s}' (known: ${keyScopes.join(', ')})`);
  }
  return scopes as KeyScope[];
}

async function withView<T>(e: CliEnvironment, codec: SchemaCodec, use: (view: ConfigView) => Promise<T>): Promise<T> {
  const view = new ConfigView({ kafka: createKafka(e.connections, 'cli-config'), codec, naming: e.naming, groupPrefix: 'vane-cli-config' });
  try {
    await view.start();
    return await use(view);
  } finally {
    await view.stop();
  }
}

async function write(e: CliEnvironment, codec: SchemaCodec, changes: ConfigChange[]): Promise<void> {
  const producer = createKafka(e.connections, 'cli-config').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await writeConfigChanges(producer, codec, e.naming, changes);
  } finally {
    await producer.disconnect();
  }
}

export function registerSites(program: Command, environment: () => CliEnvironment): void {
  const sites = program.command('sites').description('web sites that send beacons, logs and measurements (config.changes.v1)');

  sites
    .command('create')
    .argument('<domain>', 'the site\'s domain, e.g. example.com (its subdomains are accepted too)')
    .description('create a site and an ingest key for it; prints {"siteId", "key", …} as one JSON line')
    .option('--name <name>', 'display name')
    .option('--hostname <host>', 'another hostname accepted exactly, e.g. localhost (repeatable)', collect)
    .option('--probe <provider:type=url>', 'a RUM probe of the session plan, e.g. cdn-a:rtt=https://cdn-a.example/r20.gif (repeatable)', collect)
    .option('--scopes <list>', `endpoints the key may call (default: ${keyScopes.join(',')})`)
    .option('--rate-limit <perMinute>', 'requests per minute for the key (default: the gateway\'s)')
    .option('--daily-limit <n>', 'requests per UTC day for the key (default: the gateway\'s)')
    .option('--tenant <id>', 'owning tenant', 'default')
    .action(async (domain: string, opts: { name?: string; hostname?: string[]; probe?: string[]; scopes?: string; rateLimit?: string; dailyLimit?: string; tenant: string }) => {
      const host = domain.trim().toLowerCase();
      if (!/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.')) {
        throw new VaneError('VANE_ERR_USAGE', `'${domain}' is not a domain name (e.g. example.com)`);
      }
      const positive = (raw: string | undefined, what: string): number | undefined => {
        if (raw === undefined) return undefined;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1) throw new VaneError('VANE_ERR_USAGE', `${what} must be a positive integer, got '${raw}'`);
        return n;
      };
      const scopes = opts.scopes ? parseScopes(opts.scopes) : [...keyScopes];
      const rateLimitPerMinute = positive(opts.rateLimit, '--rate-limit');
      const dailyLimit = positive(opts.dailyLimit, '--daily-limit');
      const probes = (opts.probe ?? []).map(parseProbe);
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      const now = Date.now();
      const changes: ConfigChange[] = [];
      const providerIds = [...new Set(probes.map((p) => p.provider))];
      if (providerIds.length > 0) {
        // Providers are shared entities: add the new probe URLs to what they have.
        await withView(e, codec, async (view) => {
          for (const id of providerIds) {
            const held = view.state.provider(id);
            const entity = view.state.entity(id);
            if (entity && entity.entityType !== 'provider') throw new VaneError('VANE_ERR_USAGE', `'${id}' is already a ${entity.entityType}, not a provider`);
            const merged = [...(held?.probes ?? [])];
            for (const p of probes.filter((x) => x.provider === id)) {
              if (!merged.some((m) => m.type === p.probe.type && m.url === p.probe.url)) merged.push(p.probe);
            }
            const payload: ProviderPayload = { providerId: id, name: held?.name, probes: merged };
            changes.push(configChange({ entityId: id, entityType: 'provider', tenantId: held?.tenantId ?? opts.tenant, version: (entity?.version ?? 0) + 1, op: 'upsert', actor: 'cli', payload, at: now }));
          }
        });
      }
      const siteId = newSiteId();
      const key = newSiteKey();
      const site: SitePayload = { siteId, domain: host, hostnames: opts.hostname?.map((h) => h.toLowerCase()), providers: providerIds, name: opts.name, createdAt: now };
      const keyPayload: KeyPayload = { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), siteId, scopes, revoked: false, rateLimitPerMinute, dailyLimit, createdAt: now };
      changes.push(configChange({ entityId: siteId, entityType: 'site', tenantId: opts.tenant, version: 1, op: 'upsert', actor: 'cli', payload: site, at: now }));
      changes.push(configChange({ entityId: keyEntityId(key), entityType: 'key', tenantId: opts.tenant, version: 1, op: 'upsert', actor: 'cli', payload: keyPayload, at: now }));
      await write(e, codec, changes);
      process.stdout.write(`${JSON.stringify({ siteId, key, keyId: keyEntityId(key), domain: host, tenantId: opts.tenant, scopes, providers: providerIds })}\n`);
    });

  sites
    .command('list')
    .description('the sites and their keys (key prefixes only), one JSON line per site')
    .action(async () => {
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      await withView(e, codec, async (view) => {
        const keys = view.state.entitiesOfType('key');
        for (const entity of view.state.entitiesOfType('site')) {
          const site = view.state.site(entity.entityId);
          if (!site) continue;
          const siteKeys = keys
            .map((k) => k.payload as Partial<KeyPayload>)
            .filter((k) => k.siteId === site.siteId)
            .map((k) => ({ keyPrefix: k.keyPrefix, scopes: k.scopes, revoked: k.revoked === true }));
          process.stdout.write(`${JSON.stringify({ siteId: site.siteId, domain: site.domain, tenantId: site.tenantId, hostnames: site.hostnames ?? [], providers: site.providers ?? [], keys: siteKeys })}\n`);
        }
      });
    });

  const keys = program.command('keys').description('ingest keys (config.changes.v1)');
  keys
    .command('revoke')
    .argument('<key>', 'the key, as `vane sites create` printed it')
    .description('revoke a key: the gateways refuse it (403 VANE_ERR_KEY_REVOKED) as soon as they read the change')
    .action(async (key: string) => {
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      const held = await withView(e, codec, async (view) => view.state.key(key));
      if (!held) throw new VaneError('VANE_ERR_KEY_UNKNOWN', `no such key (${key.slice(0, 8)}…)`);
      if (!held.revoked) {
        const { entityId, tenantId, version, ...rest } = held;
        const payload: KeyPayload = { ...rest, revoked: true, revokedAt: Date.now() };
        await write(e, codec, [configChange({ entityId, entityType: 'key', tenantId, version: version + 1, op: 'upsert', actor: 'cli', payload })]);
      }
      process.stdout.write(`${JSON.stringify({ keyId: held.entityId, keyPrefix: held.keyPrefix, siteId: held.siteId, revoked: true })}\n`);
    });
}
