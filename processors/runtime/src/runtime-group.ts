import type { ReplayPipeline, ReplayRuntime } from './replay-spec';

export interface GroupMember extends ReplayRuntime {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Independent processors run together (e.g. loaders of several topics into one model): started in order, stopped in reverse. */
export class RuntimeGroup implements ReplayPipeline {
  constructor(private readonly members: readonly GroupMember[]) {}

  runtimes(): readonly ReplayRuntime[] {
    return this.members;
  }

  async start(): Promise<void> {
    for (const member of this.members) await member.start();
  }

  async stop(): Promise<void> {
    for (const member of [...this.members].reverse()) await member.stop();
  }
}
