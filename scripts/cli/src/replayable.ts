import { deadlettersReplay } from '@vane/deadletters';
import { decisionsLoaderReplay } from '@vane/decisions-loader';
import type { ReplaySpec } from '@vane/runtime';
import { scorerReplay } from '@vane/scorer';

/** The processors `vane replay` can rebuild, by name. A replayable processor package exports its ReplaySpec; register it here. */
export const replayable: ReadonlyMap<string, ReplaySpec> = new Map([scorerReplay, decisionsLoaderReplay, deadlettersReplay].map((spec) => [spec.model, spec]));
