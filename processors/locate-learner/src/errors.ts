import { VaneError } from '@vane/core';

/**
 * The one place this package creates errors (VANE_ERR_* codes; they move to
 * @vane/core with the rest of the error table).
 */

/** Observations handed to a station that are not its own: a caller bug, never retriable. */
export function foreignObservation(expected: string, got: string): VaneError {
  return new VaneError('VANE_ERR_PROCESS', `an observation of ${got} was folded into station ${expected}`);
}

/** A controller setting that cannot work (e.g. a target lag of 0). */
export function badControllerSetting(message: string): VaneError {
  return new VaneError('VANE_ERR_CONFIG', message);
}
