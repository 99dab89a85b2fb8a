import { resolveSandboxLimits, type SandboxLimits } from '@vane/apps';

/** The HTTP decision gateway's settings: one validated object with defaults (server.ts reads the environment). */
export interface DecideSettings {
  /** VANE_DECIDE_HOST, default 127.0.0.1. */
  host: string;
  /** VANE_DECIDE_PORT, default 7072. */
  port: number;
  /** VANE_DECIDE_TRUSTED_PROXIES: addresses/CIDRs whose X-Forwarded-For is honoured; default none. */
  trustedProxies: string[];
  /** VANE_DECIDE_IP_PARAM: accept `?ip=` (decide for that client instead of the caller: server-side integrations), default true. */
  allowIpParam: boolean;
  /** VANE_APP_*: limits of the apps' isolates. */
  sandbox: SandboxLimits;
}

export const defaultSettings: Omit<DecideSettings, 'sandbox'> = {
  host: '127.0.0.1',
  port: 7072,
  trustedProxies: [],
  allowIpParam: true,
};

export function resolveSettings(partial: Partial<Omit<DecideSettings, 'sandbox'>> & { sandbox?: Partial<SandboxLimits> } = {}): DecideSettings {
  return { ...defaultSettings, ...partial, sandbox: resolveSandboxLimits(partial.sandbox) };
}
