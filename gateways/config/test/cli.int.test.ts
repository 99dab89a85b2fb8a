import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from '../src/server';
import { runVane } from '@vane/test-support/run-vane';
import { createNamespace, type TestNamespace } from '@vane/test-support/fixtures';

const OPERATOR = 'operator-token-cli-test-0123456789abc';
const example = join(__dirname, 'example');

/** The README's full example, run with the real `vane` bin against the config service on Kafka. */
describe('vane tenants|providers|apps|data|sites|keys against the config service', () => {
  let ns: TestNamespace;
  let service: RunningService;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ns = await createNamespace();
    service = await startService({
      settings: { host: '127.0.0.1', port: 0, operatorToken: OPERATOR, sandbox: { timeoutMs: 50, memoryMb: 16 } },
      connections: ns.connections,
      naming: ns.naming,
      operatorTokenFile: '/nonexistent',
      logLevel: 'silent',
      log: () => undefined,
    });
    dir = mkdtempSync(join(tmpdir(), 'vane-cli-'));
    env = { ...ns.env, VANE_CONFIG_URL: service.url, VANE_CONFIG_OPERATOR_TOKEN: OPERATOR };
  });

  afterAll(async () => {
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await ns?.cleanup();
  });

  async function vane(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; json: Record<string, unknown>[]; stderr: string }> {
    const result = await runVane(args, { env: { ...env, ...extra }, timeoutMs: 60_000 });
    const json = result.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code: result.code, json, stderr: result.stderr };
  }

  it('creates a tenant, providers and an app, refuses a failing version, uploads, publishes, rolls back, pushes data', async () => {
    const tenant = await vane(['tenants', 'create', 'acme', '--name', 'ACME Corp']);
    expect(tenant.code).toBe(0);
    const key = (tenant.json[0]!.key as { key: string }).key;
    expect(key).toMatch(/^vck_/);
    const asAcme = { VANE_CONFIG_KEY: key, VANE_CONFIG_OPERATOR_TOKEN: '' };

    for (const args of [
      ['cdn-a', '--cname', 'acme.cdn-a.net', '--probe', 'rtt=https://cdn-a.example/r20.gif'],
      ['cdn-b', '--cname', 'cdn-b.example.net'],
      ['origin', '--cname', 'origin.acme.example', '--url', 'https://origin.acme.example'],
    ]) {
      const created = await vane(['providers', 'create', ...args], asAcme);
      expect([args[0], created.code]).toEqual([args[0], 0]);
    }
    expect((await vane(['apps', 'create', 'video', '--zone', 'acme-cdn.example', '--hostname', 'www.acme-cdn.example'], asAcme)).json[0]).toMatchObject({ app: { appId: 'acme.video' } });

    const source = join(example, 'best-rtt.js');
    const config = join(example, 'best-rtt.json');
    const dry = await vane(['apps', 'test', 'acme.video', '--source', source, '--config', config], asAcme);
    expect(dry.code).toBe(0);
    expect(dry.json[0]).toMatchObject({ passed: true });

    // A version whose case fails is refused, with the failing case.
    const wrong = JSON.parse(readFileSync(config, 'utf8')) as { tests: { expect: Record<string, unknown> }[] };
    wrong.tests[0]!.expect.provider = 'cdn-a';
    const wrongConfig = join(dir, 'wrong.json');
    writeFileSync(wrongConfig, JSON.stringify(wrong));
    const refused = await vane(['apps', 'upload', 'acme.video', '--source', source, '--config', wrongConfig], asAcme);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('VANE_ERR_APP_TEST_FAILED: test case "Germany: the fastest available provider" failed: provider expected "cdn-a", got "cdn-b"');
    expect(refused.stderr).toContain('"mismatches":["provider"]');

    expect((await vane(['apps', 'upload', 'acme.video', '--source', source, '--config', config, '--publish'], asAcme)).json.map((j) => (j.app as { publishedVersion?: number } | undefined)?.publishedVersion ?? (j.version as { version: number }).version)).toEqual([1, 1]);
    writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), ttl: 45 }));
    expect((await vane(['apps', 'upload', 'acme.video', '--source', source, '--config', join(dir, 'v2.json'), '--publish'], asAcme)).code).toBe(0);
    expect((await vane(['apps', 'rollback', 'acme.video'], asAcme)).json[0]).toMatchObject({ app: { publishedVersion: 1 } });
    const versions = (await vane(['apps', 'versions', 'acme.video'], asAcme)).json[0]!.versions as { version: number; ttl: number }[];
    expect(versions.map((v) => [v.version, v.ttl])).toEqual([
      [1, 60],
      [2, 45],
    ]);
    expect((await vane(['apps', 'show', 'acme.video', '--version', '2'], asAcme)).json[0]).toMatchObject({ version: { version: 2, source: readFileSync(source, 'utf8') } });

    writeFileSync(join(dir, 'overrides.json'), JSON.stringify({ FR: 'cdn-b' }));
    expect((await vane(['data', 'push', 'overrides', join(dir, 'overrides.json')], asAcme)).json[0]).toEqual({ name: 'overrides', version: 1, changed: true });
    expect((await vane(['data', 'show', 'overrides'], asAcme)).json[0]).toMatchObject({ version: 1, data: { FR: 'cdn-b' } });

    // Operators act on a tenant with --tenant; tenants never see each other.
    expect(((await vane(['apps', 'list', '--tenant', 'acme'])).json[0]!.apps as { appId: string }[]).map((a) => a.appId)).toEqual(['acme.video']);
    const other = await vane(['tenants', 'create', 'globex']);
    const globex = { VANE_CONFIG_KEY: (other.json[0]!.key as { key: string }).key, VANE_CONFIG_OPERATOR_TOKEN: '' };
    const peek = await vane(['apps', 'show', 'acme.video'], globex);
    expect(peek.code).toBe(1);
    expect(peek.stderr).toContain('VANE_ERR_NOT_FOUND');
  });

  it('creates sites, lists them and revokes their keys through the service, as a tenant and as an operator', async () => {
    const tenant = await vane(['tenants', 'create', 'initech']);
    const asInitech = { VANE_CONFIG_KEY: (tenant.json[0]!.key as { key: string }).key, VANE_CONFIG_OPERATOR_TOKEN: '' };
    const created = await vane(['sites', 'create', 'Shop.Initech.example', '--hostname', 'localhost', '--probe', 'edge-1:rtt=https://edge-1.example/r20.gif', '--probe', 'edge-1:throughput=https://edge-1.example/100k.bin', '--scopes', 'beacon,measurements'], asInitech);
    expect(created.stderr).toBe('');
    expect(created.json).toHaveLength(1);
    const site = created.json[0] as { siteId: string; key: string; keyId: string };
    expect(created.json[0]).toMatchObject({ siteId: expect.stringMatching(/^site_/), key: expect.stringMatching(/^vk_/), domain: 'shop.initech.example', tenantId: 'initech', scopes: ['beacon', 'measurements'], providers: ['edge-1'] });
    // The probed provider was created through the service, with both probes.
    expect((await vane(['providers', 'list'], asInitech)).json[0]).toMatchObject({ providers: [{ providerId: 'edge-1', probes: [{ type: 'rtt' }, { type: 'throughput' }], owned: true }] });
    // A second site adds its probe to the provider the tenant has.
    expect((await vane(['sites', 'create', 'blog.initech.example', '--probe', 'edge-1:availability=https://edge-1.example/a.gif', '--tenant', 'initech'])).code).toBe(0);
    expect(((await vane(['providers', 'list'], asInitech)).json[0]!.providers as { probes: unknown[] }[])[0]!.probes).toHaveLength(3);

    const listed = await vane(['sites', 'list', '--tenant', 'initech']);
    expect(listed.json.map((j) => j.domain).sort()).toEqual(['blog.initech.example', 'shop.initech.example']);
    expect(listed.json.find((j) => j.siteId === site.siteId)).toMatchObject({ tenantId: 'initech', hostnames: ['localhost'], keys: [{ keyId: site.keyId, keyPrefix: site.key.slice(0, 8), revoked: false }] });

    // An operator finds the key in whichever tenant holds it.
    const revoked = await vane(['keys', 'revoke', site.key]);
    expect(revoked.json).toEqual([{ keyId: site.keyId, keyPrefix: site.key.slice(0, 8), siteId: site.siteId, revoked: true }]);
    expect(((await vane(['sites', 'list'], asInitech)).json.find((j) => j.siteId === site.siteId)!.keys as { revoked: boolean }[])[0]!.revoked).toBe(true);
    const unknown = await vane(['keys', 'revoke', 'vk_doesnotexist'], asInitech);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('VANE_ERR_KEY_UNKNOWN');

    // The service validates: no site for a tenant that does not exist, no bad host name.
    const noTenant = await vane(['sites', 'create', 'example.com']);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toContain('VANE_ERR_NOT_FOUND: no tenant default');
    const badHost = await vane(['sites', 'create', 'example.com', '--hostname', 'not a host'], asInitech);
    expect(badHost.code).toBe(1);
    expect(badHost.stderr).toContain('VANE_ERR_VALIDATION');
  });
});
