// `@vane/snapshots/client`: the embeddable score client (see src/client/score-client.ts).
export * from './src/client';
