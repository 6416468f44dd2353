/**
 * The handler's side of streamed answers: a request handler that returns an async iterable (for
 * a request sent with `stream: true`) is pumped into `chunk` frames, then a `response` that ends
 * the stream. Items are batched per STREAM_FLUSH_MS (at most ~20 chunk frames a second, under the
 * relay's default rate limit) and per STREAM_CHUNK_BYTES. A `cancel` frame, or the caller's env
 * going offline, stops the iterator (`return()`), so the handler sees CANCELLED.
 */
import { utf8ByteLength } from '../bytes';
import { HybridError } from '../errors';
import { CancelFrame, ChunkFrame, PresenceFrame, RequestFrame, ResponseFrame } from '../frames';
import { stringifyJson } from '../json';
import { TimerHandle } from './timers';

/** ms items wait to share a chunk frame. */
export const STREAM_FLUSH_MS = 50;
/** A chunk frame is sent at once when its items reach this many bytes of JSON. */
export const STREAM_CHUNK_BYTES = 16 * 1024;

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return !!value && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

type Out = ChunkFrame | ResponseFrame;

class Pump {
  private batch: unknown[] = [];
  private bytes = 0;
  private n = 0;
  private timer?: TimerHandle;
  private stopped?: HybridError;
  private readonly it: AsyncIterator<unknown>;

  constructor(
    private readonly request: RequestFrame,
    source: AsyncIterable<unknown>,
    private readonly send: (frame: Out) => void,
    private readonly onEnd: () => void,
  ) {
    this.it = source[Symbol.asyncIterator]();
    void this.run();
  }

  get caller(): string | undefined {
    return this.request.from;
  }

  /** Cancel or caller gone: stop the iterator and answer with the reason. */
  stop(error: HybridError): void {
    if (this.stopped) return;
    this.stopped = error;
    if (typeof this.it.return === 'function') {
      Promise.resolve()
        .then(() => this.it.return!())
        .catch(() => undefined);
    }
    this.finish({ ok: false, error: error.toJSON() });
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const r = await this.it.next();
        if (this.stopped) return;
        if (r.done) return this.finish({ ok: true, chunks: undefined });
        this.add(r.value);
      }
    } catch (err) {
      if (this.stopped) return;
      this.flush(); // the items produced before the error still go out
      this.finish({ ok: false, error: HybridError.from(err, 'HANDLER_ERROR').toJSON() });
    }
  }

  private add(item: unknown): void {
    const size = utf8ByteLength(stringifyJson(item === undefined ? null : item, `an item of "${this.request.api}"`));
    this.batch.push(item === undefined ? null : item);
    this.bytes += size;
    if (this.bytes >= STREAM_CHUNK_BYTES) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batch.length) return;
    const frame: ChunkFrame = { type: 'chunk', id: this.request.id, n: this.n++, data: this.batch };
    if (this.request.from !== undefined) frame.to = this.request.from;
    this.batch = [];
    this.bytes = 0;
    this.send(frame);
  }

  /** The end of the stream; items still batched go first when it ended well, are dropped when it was stopped. */
  private finish(end: { ok: true; chunks: undefined } | { ok: false; error: ResponseFrame['error'] }): void {
    if (end.ok) this.flush();
    else if (this.timer !== undefined) clearTimeout(this.timer);
    this.batch = [];
    const response: ResponseFrame = end.ok
      ? { type: 'response', id: this.request.id, ok: true, chunks: this.n }
      : { type: 'response', id: this.request.id, ok: false, error: end.error, chunks: this.n };
    if (this.request.from !== undefined) response.to = this.request.from;
    this.onEnd();
    this.send(response);
  }
}

/** The streams one client is answering, by caller env and request id. */
export class StreamServer {
  private readonly running = new Map<string, Pump>();

  constructor(private readonly send: (frame: Out) => void) {}

  get size(): number {
    return this.running.size;
  }

  start(request: RequestFrame, source: AsyncIterable<unknown>): void {
    const key = keyOf(request.from, request.id);
    this.running.get(key)?.stop(new HybridError('CANCELLED', 'the same request was sent again'));
    const pump: Pump = new Pump(request, source, this.send, () => {
      if (this.running.get(key) === pump) this.running.delete(key);
    });
    this.running.set(key, pump);
  }

  cancel(frame: CancelFrame): void {
    this.running.get(keyOf(frame.from, frame.id))?.stop(new HybridError('CANCELLED', 'the caller cancelled the stream'));
  }

  /** The caller went offline: nobody reads its streams any more. */
  presence(frame: PresenceFrame): void {
    if (frame.online) return;
    for (const pump of Array.from(this.running.values())) {
      if (pump.caller === frame.env) pump.stop(new HybridError('CANCELLED', `the caller "${frame.env}" went offline`));
    }
  }

  stopAll(error: HybridError): void {
    for (const pump of Array.from(this.running.values())) pump.stop(error);
  }
}

function keyOf(from: string | undefined, id: string): string {
  return (from || '') + '\n' + id;
}
