import { ErrorCode, isWireErrorCode, WireErrorCode } from './protocol/error-codes';

export { ERROR_CODES, isErrorCode, isWireErrorCode } from './protocol/error-codes';
export type { ErrorCode, WireErrorCode } from './protocol/error-codes';

export interface ErrorShape {
  code: WireErrorCode;
  message: string;
}

/**
 * The error every piece of the kit throws or rejects with. `code` is one of ERROR_CODES, or a
 * newer well-formed code a peer sent (see src/core/protocol/error-codes.ts).
 */
export class HybridError extends Error {
  readonly code: WireErrorCode;
  readonly details?: unknown;

  constructor(code: WireErrorCode, message: string, details?: unknown) {
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

  /**
   * Wraps anything thrown (an Error, a string, a wire `{ code, message }`) into a HybridError. A
   * wire shape or a HybridError of another copy of the kit keeps its code when it is well formed
   * (it may be newer than this build); any other Error's `code` (Node's `ENOENT`…) is not one of
   * ours and becomes `fallback`.
   */
  static from(err: unknown, fallback: ErrorCode = 'HANDLER_ERROR'): HybridError {
    if (err instanceof HybridError) return err;
    if (err && typeof err === 'object') {
      const o = err as { code?: unknown; message?: unknown; name?: unknown };
      const message = typeof o.message === 'string' ? o.message : String(err);
      const ours = !(err instanceof Error) || o.name === 'HybridError';
      return new HybridError(ours && isWireErrorCode(o.code) ? o.code : fallback, message);
    }
    return new HybridError(fallback, err === undefined ? fallback : String(err));
  }
}

export function isHybridError(err: unknown, code?: WireErrorCode): err is HybridError {
  return err instanceof HybridError && (code === undefined || err.code === code);
}
