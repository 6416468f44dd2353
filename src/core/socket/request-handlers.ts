/**
 * Serving the peer's `request` frames: a stack of handlers (the most recently added live one
 * answers), the answer as a `response` frame, or as a stream of chunks when the handler returns
 * an async iterable and the caller asked for one (stream-serve.ts).
 */
import { Unsubscribe } from '../emitter';
import { HybridError } from '../errors';
import { ChunkFrame, Frame, RequestFrame, ResponseFrame } from '../frames';
import { RequestHandler } from './client-types';
import { isAsyncIterable, StreamServer } from './stream-serve';

type Reply = { ok: true; data: unknown } | { ok: false; error: { code: HybridError['code']; message: string } };

export class RequestHandlers {
  /** Stacked: the most recently added live handler answers (shared connections, one per page). */
  private stack: Array<{ handler: RequestHandler }> = [];
  /** Streamed answers this client is sending. */
  readonly streams = new StreamServer((frame) => this.sendAnswer(frame));

  constructor(private readonly send: (frame: Frame) => void) {}

  add(handler: RequestHandler): Unsubscribe {
    const slot = { handler };
    this.stack.push(slot);
    return () => {
      this.stack = this.stack.filter((s) => s !== slot);
    };
  }

  clear(): void {
    this.stack = [];
  }

  serve(frame: RequestFrame): void {
    const reply = (body: Reply) => {
      const response: ResponseFrame = { type: 'response', id: frame.id, ...body };
      if (frame.from !== undefined) response.to = frame.from;
      this.sendAnswer(response);
    };
    const top = this.stack[this.stack.length - 1];
    const handler = top && top.handler;
    if (!handler) return reply({ ok: false, error: { code: 'METHOD_NOT_FOUND', message: `no request handler for "${frame.api}"` } });
    new Promise((resolve) => resolve(handler(frame.api, frame.params, frame))).then(
      (data) => {
        if (!isAsyncIterable(data)) return reply({ ok: true, data });
        if (frame.stream) return this.streams.start(frame, data);
        reply({ ok: false, error: { code: 'BAD_REQUEST', message: `"${frame.api}" answers with a stream: call it with requestStream()` } });
      },
      (err) => reply({ ok: false, error: HybridError.from(err).toJSON() }),
    );
  }

  /** Sends an answer (response or chunk); one that cannot be encoded (too large, cyclic) becomes that error. */
  private sendAnswer(frame: ResponseFrame | ChunkFrame): void {
    try {
      this.send(frame);
    } catch (err) {
      this.send({ type: 'response', id: frame.id, to: frame.to, ok: false, error: HybridError.from(err).toJSON() });
    }
  }
}
