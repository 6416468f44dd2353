/**
 * The caller's side of streamed answers: a request sent with `stream: true` becomes a
 * ResponseStream fed by `chunk` frames and ended by the `response` (or an error). Chunks are
 * numbered, so a copy replayed after a reconnect is dropped and a gap ends the stream with an
 * error instead of handing the app data out of order. Streams survive reconnects (the relay
 * replays what was sent meanwhile); an idle timeout ends one whose peer stopped answering.
 */
import { HybridError } from '../errors';
import { ChunkFrame, ErrorFrame, PresenceFrame, ResponseFrame } from '../frames';
import { TimerHandle } from './timers';

export interface StreamRequestOptions<T = unknown> {
  /** Env that answers; default: the other env of the token. */
  to?: string;
  /** ms without any chunk before the stream ends with TIMEOUT (default: the client's requestTimeout). */
  timeout?: number;
  /** Called with every item, in order, as it arrives (also when nobody iterates). */
  onChunk?(item: T, index: number): void;
}

/** A streamed answer: iterate it (`for await`), or use `onChunk` and await `done`. */
export interface ResponseStream<T = unknown> extends AsyncIterable<T> {
  readonly id: string;
  /** Resolves with the number of items when the stream ends; rejects with its HybridError. */
  readonly done: Promise<number>;
  /** Stops the stream here and asks the handler to stop (it sees CANCELLED). */
  cancel(reason?: string): void;
}

type Sender = (frame: { type: 'cancel'; id: string; to?: string }) => void;

/** Items waiting for a reader, readers waiting for items, and how the stream ended. */
class CallerStream<T> implements ResponseStream<T> {
  readonly done: Promise<number>;
  private items: T[] = [];
  private readers: Array<{ resolve(r: IteratorResult<T>): void; reject(e: HybridError): void }> = [];
  private ended?: { error?: HybridError };
  private count = 0;
  private nextChunk = 0;
  private timer?: TimerHandle;
  private settle!: { resolve(n: number): void; reject(e: HybridError): void };
  /** The env answering (from the request's `to`, else the first chunk's `from`). */
  peer?: string;

  constructor(
    readonly id: string,
    private readonly api: string,
    private readonly options: StreamRequestOptions<T> & { timeout: number },
    private readonly sendCancel: Sender,
    private readonly onEnd: () => void,
  ) {
    this.peer = options.to;
    this.done = new Promise<number>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // an unobserved failure is reported through the iterator or `done`
    this.arm();
  }

  chunk(frame: ChunkFrame<T>): void {
    if (this.ended) return;
    if (frame.n < this.nextChunk) return; // a copy (replay after a reconnect)
    if (frame.n > this.nextChunk) return this.end(new HybridError('HANDLER_ERROR', `stream "${this.api}" lost chunk ${this.nextChunk}`));
    this.nextChunk++;
    if (this.peer === undefined) this.peer = frame.from;
    this.arm();
    for (const item of frame.data) this.push(item);
  }

  response(frame: ResponseFrame<T>): void {
    if (this.ended) return;
    if (!frame.ok) return this.end(HybridError.from(frame.error, 'HANDLER_ERROR'));
    if (frame.chunks !== undefined && frame.chunks !== this.nextChunk) {
      return this.end(new HybridError('HANDLER_ERROR', `stream "${this.api}" ended after chunk ${this.nextChunk} of ${frame.chunks}`));
    }
    if (frame.chunks === undefined && frame.data !== undefined) this.push(frame.data); // a handler that does not stream
    this.end();
  }

  /** Ends the stream here: items not read yet are dropped, the reader gets CANCELLED next. */
  cancel(reason = 'the stream was cancelled'): void {
    if (this.ended) return;
    this.items = [];
    this.sendCancel(this.peer === undefined ? { type: 'cancel', id: this.id } : { type: 'cancel', id: this.id, to: this.peer });
    this.end(new HybridError('CANCELLED', reason));
  }

  end(error?: HybridError): void {
    if (this.ended) return;
    this.ended = { error };
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.onEnd();
    if (error) this.settle.reject(error);
    else this.settle.resolve(this.count);
    for (const r of this.readers.splice(0)) {
      if (error) r.reject(error);
      else r.resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift() as T, done: false });
        if (this.ended) return this.ended.error ? Promise.reject(this.ended.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
      },
      // `break` out of `for await`: the handler is told to stop
      return: () => {
        this.cancel('the caller stopped reading');
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private push(item: T): void {
    const index = this.count++;
    if (this.options.onChunk) {
      try {
        this.options.onChunk(item, index);
      } catch (err) {
        return this.cancel(`onChunk threw: ${(err as Error).message}`);
      }
    }
    const reader = this.readers.shift();
    if (reader) reader.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const ms = this.options.timeout;
    if (ms > 0 && ms < Infinity) {
      this.timer = setTimeout(() => this.end(new HybridError('TIMEOUT', `stream "${this.api}" got nothing for ${ms} ms`)), ms);
    }
  }
}

/** The open streams of one client. */
export class StreamCalls {
  private readonly open = new Map<string, CallerStream<unknown>>();

  constructor(private readonly sendCancel: Sender) {}

  get size(): number {
    return this.open.size;
  }

  start<T>(id: string, api: string, options: StreamRequestOptions<T> & { timeout: number }): ResponseStream<T> {
    const stream = new CallerStream<T>(id, api, options, this.sendCancel, () => this.open.delete(id));
    this.open.set(id, stream as CallerStream<unknown>);
    return stream;
  }

  /** True when the frame belonged to a stream. */
  chunk(frame: ChunkFrame): boolean {
    const s = this.open.get(frame.id);
    if (s) s.chunk(frame);
    return !!s;
  }

  response(frame: ResponseFrame): boolean {
    const s = this.open.get(frame.id);
    if (s) s.response(frame);
    return !!s;
  }

  /** The relay refused the request (peer offline, too large…). */
  error(frame: ErrorFrame): void {
    if (frame.id !== undefined) this.fail(frame.id, new HybridError(frame.code, frame.message));
  }

  /** The answering peer went away: its streams end with OFFLINE. */
  presence(frame: PresenceFrame): void {
    if (frame.online) return;
    for (const s of Array.from(this.open.values())) {
      if (s.peer === frame.env) s.end(new HybridError('OFFLINE', `"${frame.env}" went offline during the stream`));
    }
  }

  fail(id: string, error: HybridError): void {
    const s = this.open.get(id);
    if (s) s.end(error);
  }

  failAll(error: HybridError): void {
    for (const s of Array.from(this.open.values())) s.end(error);
  }
}
