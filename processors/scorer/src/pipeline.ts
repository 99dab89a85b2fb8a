import { ProcessorRuntime, versionedRuntimeOptions, type ReplayPipeline, type ReplayRuntime, type RuntimeOptions, type VersionNaming } from '@vane/runtime';
import type { MergeState } from '@vane/schemas';
import { historyLoader } from './history-loader';
import { measurementsLoader } from './measurements-loader';
import type { ScorerOptions } from './options';
import { scoresProcessor } from './scores-processor';
import { windowsProcessor, type WindowsState } from './windows-processor';

/** The scorer's processors in one process, sharing the runtime options (one version of the model). */
export class ScorerPipeline implements ReplayPipeline {
  readonly windows: ProcessorRuntime<'ingest.measurements.v1', ScorerOptions, WindowsState>;
  readonly scores: ProcessorRuntime<'scorer.partials.v1', ScorerOptions, MergeState>;
  readonly history: ProcessorRuntime<'scores.v1', ScorerOptions>;
  readonly measurements: ProcessorRuntime<'ingest.measurements.v1', ScorerOptions>;

  constructor(base: RuntimeOptions, version?: VersionNaming) {
    const per = (processor: string): RuntimeOptions => ({
      ...versionedRuntimeOptions(base, processor, version),
      // Units of different partitions overlap their store and Kafka round trips.
      partitionsConcurrently: base.partitionsConcurrently ?? 3,
    });
    this.windows = new ProcessorRuntime(windowsProcessor, per(windowsProcessor.name));
    this.scores = new ProcessorRuntime(scoresProcessor, per(scoresProcessor.name));
    this.history = new ProcessorRuntime(historyLoader, per(historyLoader.name));
    this.measurements = new ProcessorRuntime(measurementsLoader, per(measurementsLoader.name));
  }

  /** Group and metrics of each processor, from the input on. */
  runtimes(): readonly ReplayRuntime[] {
    return [this.windows, this.scores, this.history, this.measurements];
  }

  async start(): Promise<void> {
    await this.measurements.start();
    await this.history.start();
    await this.scores.start();
    await this.windows.start();
  }

  async stop(): Promise<void> {
    await this.windows.stop();
    await this.scores.stop();
    await this.history.stop();
    await this.measurements.stop();
  }

  /** Publishes every pending score now (instead of at the next punctuation). */
  async flush(): Promise<void> {
    await this.scores.punctuate();
  }
}
