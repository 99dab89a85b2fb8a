// `@vane/core/http`: the error answers every HTTP gateway shares (see src/http/vane-errors.ts).
export * from './src/http/vane-errors';
