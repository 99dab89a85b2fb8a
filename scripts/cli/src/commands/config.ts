import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VaneError } from '@vane/core';
import { ConfigClient, print, withCaller, type Caller } from '../config-client';
import type { CliEnvironment } from '../environment';

/**
 * `vane tenants|providers|apps|data …`: the config service's API from the
 * command line (the service must run: `vane run config`; who calls and
 * where: config-client.ts). Output is the service's JSON answer, one line.
 */

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function readJsonFile(path: string, what: string): unknown {
  const text = path === '-' ? readFileSync(0, 'utf8') : existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (text === null) throw new VaneError('VANE_ERR_USAGE', `${what}: no file ${path}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new VaneError('VANE_ERR_USAGE', `${what}: ${path} is not JSON (${(error as Error).message})`);
  }
}

/** The body of an app version: the JSON config file (providers, fallback, ttl, settings, data, tests) and the source file. */
function versionBody(configPath: string, sourcePath: string): Record<string, unknown> {
  const config = readJsonFile(configPath, '--config');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new VaneError('VANE_ERR_USAGE', '--config must hold a JSON object {providers, fallback, tests, …}');
  if (!existsSync(sourcePath)) throw new VaneError('VANE_ERR_USAGE', `--source: no file ${sourcePath}`);
  return { ...(config as Record<string, unknown>), source: readFileSync(sourcePath, 'utf8') };
}

export function registerConfig(program: Command, environment: () => CliEnvironment): void {
  const client = (caller: Caller): ConfigClient => new ConfigClient(environment(), caller);

  const tenants = program.command('tenants').description('tenants of the config service (operators)');
  withCaller(tenants.command('create').argument('<tenantId>', 'e.g. acme').option('--name <name>', 'display name'))
    .description('create a tenant; prints {tenant, key} with its first admin API key (shown once)')
    .action(async (tenantId: string, opts: Caller & { name?: string }) => print(await client(opts).call('POST', '/v1/tenants', { tenantId, name: opts.name })));
  withCaller(tenants.command('list')).description('every tenant').action(async (opts: Caller) => print(await client(opts).call('GET', '/v1/tenants')));

  const providers = program.command('providers').description('CDNs and clouds apps choose between (config service)');
  withCaller(
    providers
      .command('create')
      .argument('<providerId>', 'global id, e.g. cdn-a (it keys the scores)')
      .option('--name <name>', 'display name')
      .option('--cname <host>', 'default CNAME target')
      .option('--address <ip>', 'default address (repeatable)', collect)
      .option('--url <url>', 'default base URL for HTTP redirects')
      .option('--probe <type=url>', 'RUM probe, type rtt|availability|throughput (repeatable)', collect)
      .option('--public', 'usable by every tenant (operators)'),
  )
    .description('create a provider')
    .action(async (providerId: string, opts: Caller & { name?: string; cname?: string; address?: string[]; url?: string; probe?: string[]; public?: boolean }) => {
      const probes = (opts.probe ?? []).map((p) => {
        const m = /^([a-z]+)=(\S+)$/.exec(p);
        if (!m) throw new VaneError('VANE_ERR_USAGE', `--probe takes <type>=<url>, got '${p}'`);
        return { type: m[1], url: m[2] };
      });
      const body = { providerId, name: opts.name, cname: opts.cname, addresses: opts.address, url: opts.url, probes: probes.length ? probes : undefined, public: opts.public };
      print(await client(opts).call('POST', '/v1/providers', body));
    });
  withCaller(providers.command('list')).description("the tenant's and the public providers").action(async (opts: Caller) => print(await client(opts).call('GET', '/v1/providers')));

  const apps = program.command('apps').description('routing apps: create, test, upload versions, publish, roll back (config service)');
  withCaller(
    apps
      .command('create')
      .argument('<name>', 'app name; the app id is <tenant>.<name>')
      .option('--zone <zone>', 'DNS zone the app answers in, e.g. cdn.example.com')
      .option('--hostname <name>', 'a name in the zone the app answers, or *.<name> (repeatable)', collect)
      .option('--description <text>', 'what it is for'),
  )
    .description('create an app (it answers nothing until a version is published)')
    .action(async (name: string, opts: Caller & { zone?: string; hostname?: string[]; description?: string }) =>
      print(await client(opts).call('POST', '/v1/apps', { name, zone: opts.zone, hostnames: opts.hostname, description: opts.description })),
    );
  withCaller(apps.command('list')).description("the tenant's apps").action(async (opts: Caller) => print(await client(opts).call('GET', '/v1/apps')));
  const versionCommand = (verb: 'test' | 'upload', description: string): Command =>
    withCaller(
      apps
        .command(verb)
        .argument('<appId>', 'e.g. acme.video')
        .requiredOption('--source <file.js>', 'the app: init(config) and onRequest(request, response)')
        .requiredOption('--config <file.json>', '{providers, fallback, ttl?, settings?, data?, tests}'),
    ).description(description);
  versionCommand('test', 'compile the app and run its test cases without saving anything; prints the report (exit 1 when a case fails)').action(
    async (appId: string, opts: Caller & { source: string; config: string }) => {
      const report = (await client(opts).call('POST', `/v1/apps/${encodeURIComponent(appId)}/test`, versionBody(opts.config, opts.source))) as { passed: boolean };
      print(report);
      if (!report.passed) process.exitCode = 1;
    },
  );
  versionCommand('upload', 'upload a new version: refused (exit 1, failing case on stderr) unless every test case passes')
    .option('--publish', 'publish the new version at once')
    .action(async (appId: string, opts: Caller & { source: string; config: string; publish?: boolean }) => {
      const api = client(opts);
      const uploaded = (await api.call('POST', `/v1/apps/${encodeURIComponent(appId)}/versions`, versionBody(opts.config, opts.source))) as { version: { version: number } };
      print(uploaded);
      if (opts.publish) print(await api.call('POST', `/v1/apps/${encodeURIComponent(appId)}/publish`, { version: uploaded.version.version }));
    });
  withCaller(apps.command('publish').argument('<appId>').argument('<version>', 'version number'))
    .description('make a version the one that answers')
    .action(async (appId: string, version: string, opts: Caller) => print(await client(opts).call('POST', `/v1/apps/${encodeURIComponent(appId)}/publish`, { version: Number(version) })));
  withCaller(apps.command('rollback').argument('<appId>').option('--to <version>', 'version to publish (default: the one published before)'))
    .description('publish the previously published version again')
    .action(async (appId: string, opts: Caller & { to?: string }) =>
      print(await client(opts).call('POST', `/v1/apps/${encodeURIComponent(appId)}/rollback`, opts.to ? { version: Number(opts.to) } : {})),
    );
  withCaller(apps.command('versions').argument('<appId>'))
    .description('every version (without sources)')
    .action(async (appId: string, opts: Caller) => print(await client(opts).call('GET', `/v1/apps/${encodeURIComponent(appId)}/versions`)));
  withCaller(apps.command('show').argument('<appId>').option('--version <n>', 'one version, with its source and tests'))
    .description('the app (publish history included), or one of its versions')
    .action(async (appId: string, opts: Caller & { version?: string }) =>
      print(await client(opts).call('GET', opts.version ? `/v1/apps/${encodeURIComponent(appId)}/versions/${Number(opts.version)}` : `/v1/apps/${encodeURIComponent(appId)}`)),
    );

  const data = program.command('data').description('custom data apps read as request.data[name], versioned (config service)');
  withCaller(data.command('push').argument('<name>').argument('<file.json>', "the document ('-' reads stdin)"))
    .description('push a new version (it becomes current at once; an unchanged document makes no version)')
    .action(async (name: string, file: string, opts: Caller) => print(await client(opts).call('PUT', `/v1/data/${encodeURIComponent(name)}`, readJsonFile(file, 'data'))));
  withCaller(data.command('show').argument('<name>').option('--version <n>', 'an older version'))
    .description('the current (or a given) version')
    .action(async (name: string, opts: Caller & { version?: string }) =>
      print(await client(opts).call('GET', opts.version ? `/v1/data/${encodeURIComponent(name)}/versions/${Number(opts.version)}` : `/v1/data/${encodeURIComponent(name)}`)),
    );
  withCaller(data.command('versions').argument('<name>'))
    .description('the versions kept and which is current')
    .action(async (name: string, opts: Caller) => print(await client(opts).call('GET', `/v1/data/${encodeURIComponent(name)}/versions`)));
  withCaller(data.command('rollback').argument('<name>').option('--to <version>', 'version to make current (default: the one before)'))
    .description('make an older version current again')
    .action(async (name: string, opts: Caller & { to?: string }) =>
      print(await client(opts).call('POST', `/v1/data/${encodeURIComponent(name)}/rollback`, opts.to ? { version: Number(opts.to) } : {})),
    );
}
