import { VaneError, type VaneErrorCode } from '@vane/core';

/**
 * The one place this package creates errors. Codes come from Vane's error
 * table (today in @vane/core; when it moves to @vane/core only the import
 * above changes). Errors thrown here are programming or configuration errors
 * (bad options, corrupt serialised state); bad records never throw: they
 * become named drops (see drops.ts).
 */
export function analyticsError(code: Extract<VaneErrorCode, 'VANE_ERR_CONFIG' | 'VANE_ERR_DECODE' | 'VANE_ERR_STATE'>, message: string): VaneError {
  return new VaneError(code, message);
}
