import { VaneError, type VaneErrorCode } from '@vane/core';

/**
 * The one place this package creates errors (codes from Vane's table, today
 * in @vane/core; when it moves to @vane/core only the import changes).
 * Every error here is the client's: the gateway answers it with HTTP 400
 * (Stats API: body `{ error: message, code }`, as Plausible answers
 * `{ error }`) or closes the websocket with the code and message.
 */
export type RealtimeErrorCode = Extract<VaneErrorCode, 'VANE_ERR_BAD_INPUT' | 'VANE_ERR_VALIDATION'>;

export function badInput(message: string, code: RealtimeErrorCode = 'VANE_ERR_BAD_INPUT'): VaneError {
  return new VaneError(code, message);
}
