/** One list of error codes for every side: mini program, H5 SDK and relay server. */
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

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorShape {
  code: ErrorCode;
  message: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).indexOf(value) >= 0;
}

/** The error every piece of the kit throws or rejects with. `code` is always one of ERROR_CODES. */
export class HybridError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'HybridError';
    this.code = code;
    if (details !== undefined) this.details = details;
    // Keeps `instanceof` working when compiled to ES5-style classes by a consumer's bundler.
    Object.setPrototypeOf(this, HybridError.prototype);
  }

  toJSON(): ErrorShape {
    return { code: this.code, message: this.message };
  }

  /** Wraps anything thrown (an Error, a string, a wire `{ code, message }`) into a HybridError. */
  static from(err: unknown, fallback: ErrorCode = 'HANDLER_ERROR'): HybridError {
    if (err instanceof HybridError) return err;
    if (err && typeof err === 'object') {
      const o = err as { code?: unknown; message?: unknown };
      const message = typeof o.message === 'string' ? o.message : String(err);
      return new HybridError(isErrorCode(o.code) ? o.code : fallback, message);
    }
    return new HybridError(fallback, err === undefined ? fallback : String(err));
  }
}

export function isHybridError(err: unknown, code?: ErrorCode): err is HybridError {
  return err instanceof HybridError && (code === undefined || err.code === code);
}
