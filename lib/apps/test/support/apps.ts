import type { AppFallback } from '@vane/config-model';
import type { AppProvider } from '../../src/app-request';
import { AppSandbox, type StaticsInput } from '../../src/sandbox';
import type { SandboxLimits } from '../../src/sandbox-limits';
import { initConfigOf, staticsOf, testRequest } from '../../src/test-runner';

export const providers: AppProvider[] = [
  { id: 'cdn-a', name: 'CDN A', cname: 'acme.cdn-a.net', addresses: [], url: 'https://acme.cdn-a.net' },
  { id: 'cdn-b', name: 'CDN B', cname: 'acme.cdn-b.net', addresses: ['192.0.2.10', '2001:db8::10'], url: null },
  { id: 'origin', name: 'Origin', cname: 'origin.acme.example', addresses: [], url: 'https://origin.acme.example' },
];

export const fallback: AppFallback = { provider: 'origin', ttl: 20 };

export const limits: Partial<SandboxLimits> = { timeoutMs: 50, memoryMb: 16, maxFailures: 3, quarantineMs: 500 };

let stamp = 0;

export function staticsInput(data: Record<string, unknown> = {}, settings: unknown = { availabilityFloor: 0.8 }): StaticsInput {
  return { stamp: `s${++stamp}`, json: JSON.stringify(staticsOf({ providers, settings }, data)) };
}

export async function load(source: string, appId = 'acme.test', extra: Partial<SandboxLimits> = {}): Promise<AppSandbox> {
  const settings = { availabilityFloor: 0.8 };
  return AppSandbox.load({ appId, version: 1, source }, initConfigOf({ appId, version: 1, providers, settings }), staticsInput({}, settings), { limits: { ...limits, ...extra } });
}

export function requestJson(partial: Record<string, unknown> = {}): string {
  return JSON.stringify(testRequest(partial, { id: 'acme.test', version: 1 }));
}
