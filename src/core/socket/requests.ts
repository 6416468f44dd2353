import { HybridError } from '../errors';
import { ResponseFrame } from '../frames';
import { TimerHandle } from './timers';

interface PendingRequest {
  resolve(data: unknown): void;
  reject(err: HybridError): void;
  timer: TimerHandle;
  /** Generation of the connection the request went out on; 0 while still queued. */
  sentOn: number;
}

/** Requests waiting for their `response` frame, each with its own timeout. */
export class PendingRequests {
  private readonly pending = new Map<string, PendingRequest>();

  get size(): number {
    return this.pending.size;
  }

  add<T>(id: string, timeoutMs: number, api: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HybridError('TIMEOUT', `request "${api}" got no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer, sentOn: 0 });
    });
  }

  has(id: string): boolean {
    return this.pending.has(id);
  }

  markSent(id: string, generation: number): void {
    const p = this.pending.get(id);
    if (p) p.sentOn = generation;
  }

  /** Settles the request a response answers; false when none waits for it (late or foreign). */
  settle(frame: ResponseFrame): boolean {
    const p = this.take(frame.id);
    if (!p) return false;
    if (frame.ok) p.resolve(frame.data);
    // decodeFrame checked the shape; a code newer than this build is kept as it is.
    else p.reject(frame.error ? new HybridError(frame.error.code, frame.error.message) : new HybridError('HANDLER_ERROR', 'failed'));
    return true;
  }

  reject(id: string, err: HybridError): boolean {
    const p = this.take(id);
    if (p) p.reject(err);
    return !!p;
  }

  /** Rejects the requests that went out on a connection that is gone: their response is lost. */
  rejectSentOn(generation: number, err: HybridError): void {
    for (const [id, p] of Array.from(this.pending.entries())) if (p.sentOn === generation) this.reject(id, err);
  }

  rejectAll(err: HybridError): void {
    for (const id of Array.from(this.pending.keys())) this.reject(id, err);
  }

  private take(id: string): PendingRequest | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(id);
    return p;
  }
}
