import { resolveSettings as decideSettings, startGateway as startDecide, type RunningGateway as RunningDecide } from '@vane/decide/server';
import { resolveSettings as dnsSettings, startGateway as startDns, type RunningGateway as RunningDns } from '@vane/dns/server';
import type { RoutingStack } from './routing-stack';

export interface DecisionGateways {
  dns: RunningDns;
  decide: RunningDecide;
  close(): Promise<void>;
}

/**
 * The DNS and HTTP decision gateways on the local stack, on free ports,
 * answering from a RoutingStack (its snapshots gateway and its namespace's
 * config topic) and logging decisions to the namespace's decision topics.
 */
export async function startDecisionGateways(stack: RoutingStack, sandbox = { memoryMb: 16, timeoutMs: 50 }): Promise<DecisionGateways> {
  const { ns } = stack;
  const dns = await startDns({ settings: dnsSettings({ port: 0, sandbox }), connections: ns.connections, naming: ns.naming, snapshotsUrl: stack.snapshots.url, log: () => undefined });
  const decide = await startDecide({ settings: decideSettings({ port: 0, sandbox }), connections: ns.connections, naming: ns.naming, snapshotsUrl: stack.snapshots.url, logLevel: 'silent', log: () => undefined }).catch(async (err: unknown) => {
    await dns.close();
    throw err;
  });
  return {
    dns,
    decide,
    async close() {
      await decide.close();
      await dns.close();
    },
  };
}
