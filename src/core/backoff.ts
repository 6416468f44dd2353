/** Reconnect delays with "full jitter": a uniform random delay in [0, min(cap, base * 2^attempt)). */
export interface BackoffOptions {
  /** First ceiling in ms. */
  base: number;
  /** Largest ceiling in ms. */
  cap: number;
  /** Attempts before giving up; Infinity retries forever. */
  maxRetries: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { base: 500, cap: 30_000, maxRetries: Infinity };

export function fullJitterDelay(attempt: number, base: number, cap: number, random: () => number = Math.random): number {
  // 2^attempt overflows to Infinity for large attempts; Math.min keeps it at cap.
  const ceiling = Math.min(cap, base * Math.pow(2, Math.max(0, attempt)));
  return Math.floor(random() * ceiling);
}

export class Backoff {
  private attempt = 0;
  readonly options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}, private readonly random: () => number = Math.random) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    const { base, cap, maxRetries } = this.options;
    if (!(base > 0) || !(cap >= base)) throw new RangeError(`backoff needs 0 < base <= cap (got base=${base}, cap=${cap})`);
    if (!(maxRetries >= 0)) throw new RangeError(`backoff maxRetries must be >= 0 (got ${maxRetries})`);
  }

  /** Attempts used since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt, or null when the retries are used up. */
  next(): number | null {
    if (this.attempt >= this.options.maxRetries) return null;
    return fullJitterDelay(this.attempt++, this.options.base, this.options.cap, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
