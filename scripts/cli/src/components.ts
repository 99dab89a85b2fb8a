/**
 * Everything `vane run <component>` can start. Each module exports
 * `main(env): Promise<void>` that runs the component in the foreground until
 * SIGINT/SIGTERM. Issues that add a gateway or processor register it here.
 */
export interface Component {
  kind: 'processor' | 'gateway';
  description: string;
  module: string;
  /** Started by `npm start`. */
  platform: boolean;
  /** Where a gateway listens (shown by `npm start`). */
  url?: string;
}

export const components: Record<string, Component> = {
  deadletters: {
    kind: 'processor',
    description: 'loads deadletter.v1 into the ClickHouse table deadletters, for operators',
    module: '@vane/deadletters/src/main',
    platform: true,
  },
};
