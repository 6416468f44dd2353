/**
 * Error codes on the wire: `{ code, message }` in responses, error frames and hash replies.
 * A peer may be newer than this build and send a code that is not listed here: any code that is
 * well formed (WIRE_ERROR_CODE) is passed through as it is, so a code can be added without
 * breaking older peers. Junk (empty, lower case, markup) is refused.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'METHOD_NOT_FOUND',
  'HANDLER_ERROR',
  'TIMEOUT',
  'CANCELLED',
  'NOT_IN_MINIPROGRAM',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'OFFLINE',
  'QUEUE_FULL',
] as const;

/** A code this build knows. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A code from the wire: one this build knows, or a newer well-formed one (`string & {}` keeps completion). */
export type WireErrorCode = ErrorCode | (string & {});

/** Upper-case letters, digits and `_`, starting with a letter, at most 64 characters. */
export const WIRE_ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).indexOf(value) >= 0;
}

/** A known code or a well-formed unknown one (see WIRE_ERROR_CODE). */
export function isWireErrorCode(value: unknown): value is WireErrorCode {
  return typeof value === 'string' && WIRE_ERROR_CODE.test(value);
}
