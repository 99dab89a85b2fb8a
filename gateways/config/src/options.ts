import { resolveSandboxLimits, type SandboxLimits } from '@vane/apps';
import { VaneError } from '@vane/core';

/**
 * The config service's settings: one validated object with defaults. Only
 * the entry (main.ts → server.ts) reads the environment.
 */
export interface ConfigSettings {
  /** VANE_CONFIG_HOST, default 127.0.0.1. */
  host: string;
  /** VANE_CONFIG_PORT, default 7071. */
  port: number;
  /** VANE_CONFIG_OPERATOR_TOKEN: the operators' bearer token (≥ 24 characters); default: generated once into $VANE_HOME/config/operator-token. */
  operatorToken: string;
  /** VANE_CONFIG_MAX_SOURCE_BYTES: largest app source, default 262144. */
  maxSourceBytes: number;
  /** VANE_CONFIG_MAX_DATA_BYTES: largest custom data document (JSON), default 262144. */
  maxDataBytes: number;
  /** VANE_CONFIG_MAX_DATA_VERSIONS: versions of a data set kept (older ones are deleted), default 50. */
  maxDataVersions: number;
  /** VANE_CONFIG_MAX_TESTS: most test cases per app version, default 200. */
  maxTests: number;
  /** Limits of the sandbox test cases run in: the same VANE_APP_* variables as the decision gateways. */
  sandbox: SandboxLimits;
}

export const defaultSettings: Omit<ConfigSettings, 'operatorToken' | 'sandbox'> = {
  host: '127.0.0.1',
  port: 7071,
  maxSourceBytes: 256 * 1024,
  maxDataBytes: 256 * 1024,
  maxDataVersions: 50,
  maxTests: 200,
};

export type ConfigSettingsInput = Partial<Omit<ConfigSettings, 'sandbox'>> & { operatorToken: string; sandbox?: Partial<SandboxLimits> };

export function resolveSettings(partial: ConfigSettingsInput): ConfigSettings {
  const settings: ConfigSettings = { ...defaultSettings, ...partial, sandbox: resolveSandboxLimits(partial.sandbox) };
  for (const name of ['maxSourceBytes', 'maxDataBytes', 'maxDataVersions', 'maxTests'] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value <= 0) throw new VaneError('VANE_ERR_CONFIG', `config setting ${name} must be a positive integer, got ${String(value)}`);
  }
  if (settings.operatorToken.length < 24) throw new VaneError('VANE_ERR_CONFIG', 'the operator token (VANE_CONFIG_OPERATOR_TOKEN) must have at least 24 characters');
  return settings;
}
