/**
 * kafkajs 2.2.4 (the last release) arms its request-queue timer with a
 * negative delay when nothing is throttled; Node.js 23+ prints a
 * TimeoutNegativeWarning for each (the timer fires after 1 ms, as kafkajs
 * meant). Drop exactly that warning, once per process; all others pass.
 */
export function quietKafkajsTimers(): void {
  const marker = Symbol.for('vane.quietKafkajsTimers');
  const holder = process as unknown as Record<symbol, boolean>;
  if (holder[marker]) return;
  holder[marker] = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning' || (warning instanceof Error && warning.name === 'TimeoutNegativeWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
