import type { Command } from 'commander';
import { VaneError, isVaneError } from '@vane/core';
import { keyEntityId, keyScopes, probeTypes, type KeyScope, type ProbeTarget, type ProbeType } from '@vane/config-model';
import { ConfigClient, print, withCaller, type Caller } from '../config-client';
import type { CliEnvironment } from '../environment';

/**
 * `vane sites create|list` and `vane keys revoke`: sites and their ingest
 * keys, through the config service's API (`vane run config`; who calls and
 * where: config-client.ts), which validates them and writes
 * config.changes.v1. Operators act on tenant "default" unless --tenant names
 * another; a tenant API key acts on its own tenant. Output is one JSON object
 * per line.
 */

/** The tenant `vane sites create` puts a site in when an operator names none. */
const DEFAULT_TENANT = 'default';

interface SiteView {
  siteId: string;
  domain: string;
  hostnames: string[];
  providers: string[];
  keys: { keyId: string; keyPrefix: string; scopes: KeyScope[]; revoked: boolean }[];
}

interface ProviderView {
  probes: ProbeTarget[];
  owned: boolean;
}

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

function positive(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new VaneError('VANE_ERR_USAGE', `${what} must be a positive integer, got '${raw}'`);
  return n;
}

const isNotFound = (error: unknown): boolean => isVaneError(error) && error.code === 'VANE_ERR_NOT_FOUND';

/** The caller's tenant (checked to exist), with a hint when an operator's tenant does not. */
async function tenantOf(api: ConfigClient, tenant: string | undefined): Promise<string> {
  try {
    return ((await api.call('GET', '/v1/tenant', undefined, tenant)) as { tenant: { tenantId: string } }).tenant.tenantId;
  } catch (error) {
    if (isNotFound(error) && api.asOperator) throw new VaneError('VANE_ERR_NOT_FOUND', `no tenant ${tenant}: create it first (vane tenants create ${tenant}) or name another with --tenant`);
    throw error;
  }
}

/** The tenants a listing or a key search looks in: the caller's, or every tenant for an operator naming none. */
async function tenantsToSearch(api: ConfigClient): Promise<(string | undefined)[]> {
  if (!api.asOperator) return [undefined];
  const named = api.operatorTenant();
  if (named) return [named];
  return ((await api.call('GET', '/v1/tenants')) as { tenants: { tenantId: string }[] }).tenants.map((t) => t.tenantId);
}

/** Creates each probed provider the tenant lacks, and adds new probe URLs to the ones it owns. */
async function ensureProviders(api: ConfigClient, tenant: string | undefined, probes: { provider: string; probe: ProbeTarget }[]): Promise<string[]> {
  const ids = [...new Set(probes.map((p) => p.provider))];
  for (const id of ids) {
    const wanted = probes.filter((p) => p.provider === id).map((p) => p.probe);
    const path = `/v1/providers/${encodeURIComponent(id)}`;
    let held: ProviderView | undefined;
    try {
      held = ((await api.call('GET', path, undefined, tenant)) as { provider: ProviderView }).provider;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!held) {
      await api.call('POST', '/v1/providers', { providerId: id, probes: wanted }, tenant);
      continue;
    }
    const merged = [...held.probes];
    for (const p of wanted) if (!merged.some((m) => m.type === p.type && m.url === p.url)) merged.push(p);
    // A public provider of another tenant is used as it is; the service refuses changes to it.
    if (merged.length > held.probes.length) await api.call('PUT', path, { probes: merged }, tenant);
  }
  return ids;
}

export function registerSites(program: Command, environment: () => CliEnvironment): void {
  const client = (caller: Caller): ConfigClient => new ConfigClient(environment(), caller);
  const sites = program.command('sites').description('web sites that send beacons, logs and measurements (config service)');

  withCaller(
    sites
      .command('create')
      .argument('<domain>', 'the site\'s domain, e.g. example.com (its subdomains are accepted too)')
      .option('--name <name>', 'display name')
      .option('--hostname <host>', 'another hostname accepted exactly, e.g. localhost (repeatable)', collect)
      .option('--probe <provider:type=url>', 'a RUM probe of the session plan, e.g. cdn-a:rtt=https://cdn-a.example/r20.gif (repeatable); creates the provider when the tenant has none', collect)
      .option('--scopes <list>', `endpoints the key may call (default: ${keyScopes.join(',')})`)
      .option('--rate-limit <perMinute>', 'requests per minute for the key (default: the gateway\'s)')
      .option('--daily-limit <n>', 'requests per UTC day for the key (default: the gateway\'s)'),
    `operators: the owning tenant (default: ${DEFAULT_TENANT})`,
  )
    .description('create a site and an ingest key for it; prints {"siteId", "key", …} as one JSON line')
    .action(async (domain: string, opts: Caller & { name?: string; hostname?: string[]; probe?: string[]; scopes?: string; rateLimit?: string; dailyLimit?: string }) => {
      const host = domain.trim().toLowerCase();
      if (!/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.')) {
        throw new VaneError('VANE_ERR_USAGE', `'${domain}' is not a domain name (e.g. example.com)`);
      }
      const scopes = opts.scopes ? parseScopes(opts.scopes) : undefined;
      const rateLimitPerMinute = positive(opts.rateLimit, '--rate-limit');
      const dailyLimit = positive(opts.dailyLimit, '--daily-limit');
      const probes = (opts.probe ?? []).map(parseProbe);
      const api = client(opts);
      const tenant = api.operatorTenant(DEFAULT_TENANT);
      const tenantId = await tenantOf(api, tenant);
      const providers = await ensureProviders(api, tenant, probes);
      const body = { domain: host, name: opts.name, hostnames: opts.hostname, providers, scopes, rateLimitPerMinute, dailyLimit };
      const created = (await api.call('POST', '/v1/sites', body, tenant)) as { site: SiteView; key: { key: string; keyId: string }; readKey: { key: string; keyId: string } };
      const key = created.site.keys.find((k) => k.keyId === created.key.keyId);
      print({ siteId: created.site.siteId, key: created.key.key, keyId: created.key.keyId, readKey: created.readKey.key, domain: created.site.domain, tenantId, scopes: key?.scopes ?? scopes ?? [...keyScopes], providers: created.site.providers });
    });

  withCaller(sites.command('list'), 'operators: the tenant to list (default: every tenant)')
    .description('the sites and their keys (key prefixes only), one JSON line per site')
    .action(async (opts: Caller) => {
      const api = client(opts);
      for (const tenant of await tenantsToSearch(api)) {
        const tenantId = tenant ?? (await tenantOf(api, undefined));
        const { sites: held } = (await api.call('GET', '/v1/sites', undefined, tenant)) as { sites: SiteView[] };
        for (const site of held) {
          const keys = site.keys.map((k) => ({ keyId: k.keyId, keyPrefix: k.keyPrefix, scopes: k.scopes, revoked: k.revoked }));
          print({ siteId: site.siteId, domain: site.domain, tenantId, hostnames: site.hostnames, providers: site.providers, keys });
        }
      }
    });

  const keys = program.command('keys').description('ingest keys of sites (config service)');
  withCaller(keys.command('revoke').argument('<key>', 'the key, as `vane sites create` printed it'), 'operators: the tenant of the key (default: every tenant)')
    .description('revoke a key: the gateways refuse it (403 VANE_ERR_KEY_REVOKED) as soon as they read the change')
    .action(async (key: string, opts: Caller) => {
      const api = client(opts);
      const keyId = keyEntityId(key);
      for (const tenant of await tenantsToSearch(api)) {
        const { sites: held } = (await api.call('GET', '/v1/sites', undefined, tenant)) as { sites: SiteView[] };
        const site = held.find((s) => s.keys.some((k) => k.keyId === keyId));
        if (!site) continue;
        await api.call('DELETE', `/v1/sites/${encodeURIComponent(site.siteId)}/keys/${encodeURIComponent(keyId)}`, undefined, tenant);
        print({ keyId, keyPrefix: site.keys.find((k) => k.keyId === keyId)!.keyPrefix, siteId: site.siteId, revoked: true });
        return;
      }
      throw new VaneError('VANE_ERR_KEY_UNKNOWN', `no such key (${key.slice(0, 8)}…)`);
    });
}
