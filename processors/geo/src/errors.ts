import { VaneError, type VaneErrorCode } from '@vane/core';

/**
 * The one place this package creates errors (codes from Vane's table, today
 * in @vane/core; when it moves to @vane/core only the import changes).
 * Bad records never throw: they become named drops (buckets.ts).
 */
export function geoError(code: Extract<VaneErrorCode, 'VANE_ERR_BAD_INPUT' | 'VANE_ERR_DECODE'>, message: string): VaneError {
  return new VaneError(code, message);
}
