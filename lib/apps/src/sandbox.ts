import ivm from 'isolated-vm';
import { VaneError } from '@vane/core';
import type { AppAnswer } from './app-request';
import { PRELUDE } from './prelude';
import { reasonCodes, type GatewayReason } from './reason-codes';
import { resolveSandboxLimits, type SandboxLimits } from './sandbox-limits';

/**
 * One app version in its own V8 isolate (isolated-vm): its own heap with a
 * memory limit, no Node.js API, no reference to any host object (only JSON
 * strings cross, see prelude.ts). Calls run on isolated-vm's threads, not on
 * the event loop, so an app that loops or allocates without bound delays
 * only its own requests: each is answered within the deadline by the
 * fallback. An app that keeps failing hard (timeouts, memory) is quarantined
 * for a while (doubling on relapse) so it cannot keep a thread busy; an
 * isolate killed by its memory limit is rebuilt on the next request.
 *
 * An app with a clean record (SandboxLimits.syncAfter runs in a row, each
 * well inside the limit, nothing waiting for it) runs on the event loop's
 * thread instead, saving the thread hop; its first timeout or memory failure
 * there sends it off the loop for good: one stall of at most the time limit
 * (plus V8's collection of a memory bomb) per app version, then never again.
 */

export interface AppCode {
  appId: string;
  version: number;
  source: string;
}

/** Providers, settings and custom data sent into the isolate when `stamp` changes. */
export interface StaticsInput {
  stamp: string;
  json: string;
}

export type RunOutcome =
  | { ok: true; answer: AppAnswer; micros: number }
  | { ok: false; reason: GatewayReason; error: string; micros: number };

export interface SandboxStats {
  runs: number;
  /** Whether the app runs on the event loop's thread now. */
  onLoop: boolean;
  answered: number;
  failures: Record<string, number>;
  reboots: number;
  quarantinedUntil: number | null;
  lastError: string | null;
}

interface Booted {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(json: string) => string>;
  runBatch: ivm.Reference<(json: string) => string>;
  statics: ivm.Reference<(json: string) => void>;
  staticsStamp: string | null;
}

class DeadlineExceeded extends Error {}

function elapsedMicros(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1000n);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function isTimeout(message: string): boolean {
  return message.includes('Script execution timed out');
}

function isMemory(message: string, isolate: ivm.Isolate | undefined): boolean {
  return message.includes('memory limit') || message.includes('Isolate is disposed') || (isolate?.isDisposed ?? false);
}

export class AppSandbox {
  private booted: Booted | undefined;
  private booting: Promise<Booted> | undefined;
  private pending = 0;
  private consecutiveHardFailures = 0;
  private quarantineTrips = 0;
  private quarantinedUntil = 0;
  private disposed = false;
  /** Clean off-loop runs in a row (each well inside the time limit). */
  private cleanRuns = 0;
  private onLoop = false;
  private neverOnLoop = false;
  /** Requests waiting for the next on-loop call. */
  private batch: { start: bigint; json: string; resolve: (outcome: RunOutcome) => void }[] = [];
  private readonly counters: Omit<SandboxStats, 'onLoop'> = { runs: 0, answered: 0, failures: {}, reboots: 0, quarantinedUntil: null, lastError: null };

  private constructor(
    readonly code: AppCode,
    private readonly initConfigJson: string,
    private statics: StaticsInput,
    readonly limits: SandboxLimits,
    private readonly now: () => number,
    private readonly onCatastrophe: (message: string) => void,
  ) {}

  /**
   * Compiles the app, runs its top level and init(config), and sends the
   * statics in. Fails with VANE_ERR_APP_COMPILE (syntax error, no
   * onRequest) or VANE_ERR_APP_INIT (top level or init threw, timed out or ran
   * out of memory), with the app's own message.
   */
  static async load(
    code: AppCode,
    initConfig: unknown,
    statics: StaticsInput,
    options: { limits?: Partial<SandboxLimits>; now?: () => number; onCatastrophe?: (message: string) => void } = {},
  ): Promise<AppSandbox> {
    const sandbox = new AppSandbox(
      code,
      JSON.stringify(initConfig ?? {}),
      statics,
      resolveSandboxLimits(options.limits),
      options.now ?? Date.now,
      options.onCatastrophe ?? ((m) => process.stderr.write(`app sandbox: catastrophic error in ${code.appId}@${code.version}: ${m}\n`)),
    );
    await sandbox.ensureBooted();
    return sandbox;
  }

  private ensureBooted(): Promise<Booted> {
    if (this.booted && !this.booted.isolate.isDisposed) return Promise.resolve(this.booted);
    if (this.booting) return this.booting;
    if (this.booted) this.counters.reboots++;
    this.booted = undefined;
    this.booting = this.boot().then(
      (booted) => {
        this.booting = undefined;
        if (this.disposed) {
          if (!booted.isolate.isDisposed) booted.isolate.dispose();
          throw new VaneError('VANE_ERR_APP_INIT', 'the sandbox was disposed while loading');
        }
        this.booted = booted;
        return booted;
      },
      (error: unknown) => {
        this.booting = undefined;
        throw error;
      },
    );
    return this.booting;
  }

  private async boot(): Promise<Booted> {
    const { code, limits } = this;
    const isolate = new ivm.Isolate({ memoryLimit: limits.memoryMb, onCatastrophicError: (m) => this.onCatastrophe(m) });
    const fail = (stage: string, error: unknown): never => {
      const message = messageOf(error);
      const why = isTimeout(message) ? `took longer than ${limits.initTimeoutMs} ms` : isMemory(message, isolate) ? `exceeded the memory limit of ${limits.memoryMb} MB` : message;
      if (!isolate.isDisposed) isolate.dispose();
      throw new VaneError(stage === 'compile' ? 'VANE_ERR_APP_COMPILE' : 'VANE_ERR_APP_INIT', `${code.appId} version ${code.version}: ${stage}: ${why}`);
    };
    let context: ivm.Context;
    let script: ivm.Script;
    try {
      context = await isolate.createContext();
      script = await isolate.compileScript(code.source, { filename: `${code.appId}@${code.version}.js` });
    } catch (error) {
      return fail('compile', error);
    }
    try {
      await script.run(context, { timeout: limits.initTimeoutMs });
    } catch (error) {
      return fail('top level', error);
    }
    let vane: ivm.Reference<Record<string, unknown>>;
    try {
      const prelude = await isolate.compileScript(PRELUDE, { filename: 'vane-prelude.js' });
      await prelude.run(context, { timeout: limits.initTimeoutMs });
      vane = await context.global.get('__vane', { reference: true });
    } catch (error) {
      return fail('compile', error);
    }
    const booted: Booted = {
      isolate,
      context,
      run: (await vane.get('run', { reference: true })) as ivm.Reference<(json: string) => string>,
      runBatch: (await vane.get('runBatch', { reference: true })) as ivm.Reference<(json: string) => string>,
      statics: (await vane.get('statics', { reference: true })) as ivm.Reference<(json: string) => void>,
      staticsStamp: null,
    };
    try {
      const init = (await vane.get('init', { reference: true })) as ivm.Reference<(json: string) => void>;
      await init.apply(undefined, [this.initConfigJson], { timeout: limits.initTimeoutMs });
      await booted.statics.apply(undefined, [this.statics.json], { timeout: limits.initTimeoutMs });
      booted.staticsStamp = this.statics.stamp;
    } catch (error) {
      return fail('init', error);
    }
    return booted;
  }

  /** Whether the app is in quarantine now (its requests get the fallback without running). */
  get quarantined(): boolean {
    return this.quarantinedUntil > this.now();
  }

  /**
   * Runs onRequest for one request (JSON of AppRequest without the statics).
   * Never rejects: every failure is an outcome with a gateway reason code.
   * Resolves within about 2 × timeoutMs whatever the app does.
   */
  async run(requestJson: string, statics?: StaticsInput): Promise<RunOutcome> {
    const start = process.hrtime.bigint();
    this.counters.runs++;
    if (statics) this.statics = statics;
    if (this.disposed) return this.failed(start, reasonCodes.unavailable, 'the app version was unloaded', false);
    if (this.quarantinedUntil > this.now()) return this.failed(start, reasonCodes.quarantined, this.counters.lastError ?? 'quarantined', false);
    if (this.pending >= this.limits.maxPending) return this.failed(start, reasonCodes.busy, `${this.pending} requests already wait for this app`, false);
    if (this.onLoop && this.booted && !this.booted.isolate.isDisposed && this.pending === 0) return this.queueOnLoop(start, requestJson);
    this.pending++;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded(`no answer within ${2 * this.limits.timeoutMs} ms`)), 2 * this.limits.timeoutMs);
    });
    let used: Booted | undefined;
    try {
      const result = await Promise.race([
        (async () => {
          let booted: Booted;
          try {
            booted = await this.ensureBooted();
            used = booted;
          } catch (error) {
            throw new BootFailed(messageOf(error));
          }
          const current = this.statics;
          if (booted.staticsStamp !== current.stamp) {
            await booted.statics.apply(undefined, [current.json], { timeout: this.limits.timeoutMs });
            booted.staticsStamp = current.stamp;
          }
          return booted.run.apply(undefined, [requestJson], { timeout: this.limits.timeoutMs });
        })(),
        deadline,
      ]);
      return this.answered(start, result);
    } catch (error) {
      if (error instanceof BootFailed) return this.failed(start, reasonCodes.unavailable, error.message, false);
      if (error instanceof DeadlineExceeded) return this.failed(start, reasonCodes.timeout, error.message, true);
      const message = messageOf(error);
      if (isTimeout(message)) return this.failed(start, reasonCodes.timeout, `onRequest took longer than ${this.limits.timeoutMs} ms`, true);
      if (isMemory(message, used?.isolate)) {
        // The isolate is gone; the next request rebuilds it.
        if (used && !used.isolate.isDisposed) used.isolate.dispose();
        return this.failed(start, reasonCodes.memory, `onRequest exceeded the memory limit of ${this.limits.memoryMb} MB`, true);
      }
      return this.failed(start, reasonCodes.error, message, false);
    } finally {
      clearTimeout(timer);
      this.pending--;
    }
  }

  /**
   * Runs on the event loop's thread: no thread hop, for apps with a clean
   * record (see SandboxLimits.syncAfter). Requests that arrive together (in
   * one turn of the event loop) run in one call, under one time limit. A
   * timeout or memory failure there fails that call's requests (they get the
   * fallback) and sends the app off the loop for good, so an app stalls the
   * loop at most once.
   */
  private queueOnLoop(start: bigint, requestJson: string): Promise<RunOutcome> {
    return new Promise((resolve) => {
      this.batch.push({ start, json: requestJson, resolve });
      if (this.batch.length === 1) setImmediate(() => this.flushBatch());
    });
  }

  private flushBatch(): void {
    const batch = this.batch;
    this.batch = [];
    const booted = this.booted;
    if (!this.onLoop || this.disposed || !booted || booted.isolate.isDisposed) {
      // Demoted, unloaded or rebooting meanwhile: the ordinary path.
      for (const item of batch) void this.run(item.json).then(item.resolve);
      return;
    }
    try {
      if (booted.staticsStamp !== this.statics.stamp) {
        booted.statics.applySync(undefined, [this.statics.json], { timeout: this.limits.timeoutMs });
        booted.staticsStamp = this.statics.stamp;
      }
      if (batch.length === 1) {
        const item = batch[0]!;
        item.resolve(this.answered(item.start, booted.run.applySync(undefined, [item.json], { timeout: this.limits.timeoutMs })));
        return;
      }
      const results = booted.runBatch.applySync(undefined, [`[${batch.map((b) => b.json).join(',')}]`], { timeout: this.limits.timeoutMs });
      const tooLarge = typeof results === 'string' && results.length > this.limits.maxAnswerBytes * batch.length;
      const parsed = typeof results === 'string' && !tooLarge ? (JSON.parse(results) as unknown[]) : [];
      batch.forEach((item, i) => {
        const r = parsed[i] as (AppAnswer & { __error?: string }) | undefined;
        if (r === undefined || r === null || typeof r !== 'object') item.resolve(this.failed(item.start, reasonCodes.invalidAnswer, 'the answer did not leave the sandbox', false));
        else if (typeof r.__error === 'string') item.resolve(this.failed(item.start, reasonCodes.error, r.__error, false));
        else item.resolve(this.answered(item.start, r));
      });
    } catch (error) {
      const message = messageOf(error);
      let outcome: [GatewayReason, string, boolean];
      if (isTimeout(message)) outcome = [reasonCodes.timeout, `onRequest took longer than ${this.limits.timeoutMs} ms`, true];
      else if (isMemory(message, booted.isolate)) {
        if (!booted.isolate.isDisposed) booted.isolate.dispose();
        outcome = [reasonCodes.memory, `onRequest exceeded the memory limit of ${this.limits.memoryMb} MB`, true];
      } else outcome = [reasonCodes.error, message, false];
      if (outcome[2]) this.demote();
      for (const item of batch) item.resolve(this.failed(item.start, ...outcome));
    }
  }

  private demote(): void {
    this.onLoop = false;
    this.neverOnLoop = true;
  }

  /** Whether runs happen on the event loop's thread now (see SandboxLimits.syncAfter). */
  get runsOnLoop(): boolean {
    return this.onLoop;
  }

  /** An answer as JSON (one call) or parsed (from a batch). */
  private answered(start: bigint, result: unknown): RunOutcome {
    let answer: AppAnswer;
    if (typeof result === 'object' && result !== null) answer = result as AppAnswer;
    else {
      if (typeof result !== 'string') return this.failed(start, reasonCodes.invalidAnswer, 'the answer did not leave the sandbox as JSON', false);
      if (result.length > this.limits.maxAnswerBytes) return this.failed(start, reasonCodes.invalidAnswer, `the answer has ${result.length} bytes (limit ${this.limits.maxAnswerBytes})`, false);
      try {
        answer = JSON.parse(result) as AppAnswer;
      } catch {
        return this.failed(start, reasonCodes.invalidAnswer, 'the answer is not JSON', false);
      }
    }
    this.consecutiveHardFailures = 0;
    this.quarantineTrips = 0;
    this.counters.answered++;
    const micros = elapsedMicros(start);
    if (!this.onLoop && !this.neverOnLoop && this.limits.syncAfter > 0) {
      // "Well inside": a fifth of the limit, queueing included.
      if (micros * 5 < this.limits.timeoutMs * 1000) this.cleanRuns++;
      else this.cleanRuns = 0;
      if (this.cleanRuns >= this.limits.syncAfter) this.onLoop = true;
    }
    return { ok: true, answer, micros };
  }

  private failed(start: bigint, reason: GatewayReason, error: string, hard: boolean): RunOutcome {
    this.counters.failures[reason] = (this.counters.failures[reason] ?? 0) + 1;
    this.cleanRuns = 0;
    if (reason !== reasonCodes.quarantined && reason !== reasonCodes.busy) this.counters.lastError = `${reason}: ${error}`;
    if (hard) {
      this.consecutiveHardFailures++;
      if (this.consecutiveHardFailures >= this.limits.maxFailures) {
        const span = Math.min(this.limits.quarantineMs * 2 ** this.quarantineTrips, this.limits.maxQuarantineMs);
        this.quarantineTrips++;
        this.quarantinedUntil = this.now() + span;
      }
    }
    return { ok: false, reason, error, micros: elapsedMicros(start) };
  }

  stats(): SandboxStats {
    return { ...this.counters, onLoop: this.onLoop, failures: { ...this.counters.failures }, quarantinedUntil: this.quarantinedUntil > this.now() ? this.quarantinedUntil : null };
  }

  /** Releases the isolate; requests still running get the fallback (app_unavailable). */
  dispose(): void {
    this.disposed = true;
    const booted = this.booted;
    this.booted = undefined;
    if (booted && !booted.isolate.isDisposed) booted.isolate.dispose();
  }
}

class BootFailed extends Error {}
