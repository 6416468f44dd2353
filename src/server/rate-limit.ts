/**
 * Token bucket kept as two numbers on the connection: no timer, refilled lazily when a frame arrives.
 */
export interface Bucket {
  tokens: number;
  refilledAt: number;
}

export interface RateLimit {
  /** Frames per second, sustained. 0 disables the limit. */
  perSecond: number;
  /** Frames allowed in a burst. */
  burst: number;
}

export function takeToken(bucket: Bucket, limit: RateLimit, now: number): boolean {
  if (limit.perSecond <= 0) return true;
  const elapsed = now - bucket.refilledAt;
  if (elapsed > 0) {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000);
    bucket.refilledAt = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
