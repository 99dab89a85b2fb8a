import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isVaneErrorCode, readEnv, VaneError } from '@vane/core';
import { operatorTokenFile } from '@vane/config/server';
import type { CliEnvironment } from './environment';

/**
 * The config service's HTTP API from the command line: every configuration
 * change the CLI makes goes through it (the service validates and is the one
 * writer of config.changes.v1). Who is calling:
 *   --key <key> or VANE_CONFIG_KEY     a tenant's API key ("vck_…")
 *   operators                          VANE_CONFIG_OPERATOR_TOKEN, else the token file the service
 *                                      generated ($VANE_HOME/config/operator-token); with --tenant <id>
 *                                      for a tenant's objects
 * Where: --config-url or VANE_CONFIG_URL, default http://127.0.0.1:$VANE_CONFIG_PORT (7071).
 */
export interface Caller {
  key?: string;
  tenant?: string;
  configUrl?: string;
}

export class ConfigClient {
  constructor(
    private readonly e: CliEnvironment,
    private readonly caller: Caller,
  ) {}

  private url(): string {
    const read = readEnv(this.e.env);
    return (this.caller.configUrl ?? read.string('VANE_CONFIG_URL') ?? `http://127.0.0.1:${read.port('VANE_CONFIG_PORT', { default: 7071 })}`).replace(/\/$/, '');
  }

  /** A tenant's API key, when the call is made with one (not with the operator token). */
  private tenantKey(): string | undefined {
    const key = this.caller.key ?? this.e.env.VANE_CONFIG_KEY;
    return key && !this.caller.tenant ? key : undefined;
  }

  /** Whether calls go with the operators' token (they then name their tenant). */
  get asOperator(): boolean {
    return this.tenantKey() === undefined;
  }

  /** The tenant an operator call acts on: --tenant, else `fallback`. */
  operatorTenant(fallback?: string): string | undefined {
    return this.caller.tenant ?? fallback;
  }

  private token(): string {
    const key = this.tenantKey();
    if (key) return key;
    if (this.e.env.VANE_CONFIG_OPERATOR_TOKEN) return this.e.env.VANE_CONFIG_OPERATOR_TOKEN;
    const file = operatorTokenFile(this.e.env);
    if (!existsSync(file)) throw new VaneError('VANE_ERR_KEY_MISSING', `no API key (--key or VANE_CONFIG_KEY) and no operator token in ${file}: start the config service once (vane run config) or set VANE_CONFIG_OPERATOR_TOKEN`);
    return readFileSync(file, 'utf8').trim();
  }

  /**
   * One API call; the service's error answer becomes a VaneError with its
   * code. `tenant` names the tenant of an operator call (default: --tenant);
   * a tenant key always acts on its own tenant.
   */
  async call(method: string, path: string, body?: unknown, tenant: string | undefined = this.caller.tenant): Promise<unknown> {
    const token = this.token();
    const named = this.asOperator ? tenant : undefined;
    let res: Response;
    try {
      res = await fetch(`${this.url()}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(named ? { 'x-vane-tenant': named } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new VaneError('VANE_ERR_NOT_RUNNING', `the config service at ${this.url()} does not answer (vane run config): ${(error as Error).message}`, { retriable: true });
    }
    const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.status >= 400) {
      const error = new VaneError(isVaneErrorCode(json.code) ? json.code : 'VANE_ERR_INTERNAL', json.message ?? `HTTP ${res.status}`);
      // A refused app version: the failing case goes to stderr in full.
      if ('failing' in json) process.stderr.write(`${JSON.stringify((json as { failing: unknown }).failing)}\n`);
      throw error;
    }
    return json;
  }
}

export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The options naming the caller and the service, shared by every config command. */
export function withCaller(command: Command, tenantHelp = 'operators: the tenant to act on (with the operator token)'): Command {
  return command
    .option('--key <key>', 'tenant API key (default: VANE_CONFIG_KEY)')
    .option('--tenant <id>', tenantHelp)
    .option('--config-url <url>', 'config service URL (default: VANE_CONFIG_URL or http://127.0.0.1:7071)');
}
