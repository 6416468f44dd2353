/**
 * linkChatPanel's streamed replies: a socket request answered by a stream becomes one panel
 * message that grows piece by piece (`appendDelta`), ends `sent` (or `failed` on an error), and
 * stops when the reader taps stop (`link.stop(id)` cancels the request, so the handler sees
 * CANCELLED).
 */
import { createId } from '../../core/bytes';
import { HybridError } from '../../core/errors';
import type { ResponseStream, StreamRequestOptions } from '../../core/socket/stream-calls';
import { ChatMessage } from './types';

/** A SocketClient has it; `managerSocket(host)` maps it to socket-manager's socketStream. */
export interface StreamingSocket {
  requestStream?<T = unknown>(api: string, params: unknown, options: StreamRequestOptions<T>): ResponseStream<T>;
}

/** The chat-panel methods a streamed reply uses. */
export interface StreamPanelApi {
  appendMessage(message: ChatMessage): void;
  appendDelta(id: string, text: string): void;
  updateMessage(id: string, patch: { status?: ChatMessage['status'] }): void;
  getMessage(id: string): ChatMessage | undefined;
}

export interface StreamReplyOptions {
  /** Id of the reply message (default: a new one). */
  id?: string;
  /** Role of the reply (default: the link's `peerRole`). */
  role?: string;
  /** `'text'` (default) or `'markdown'`. */
  type?: 'text' | 'markdown';
  /** Env that answers (default: the link's `to`). */
  to?: string;
  /** ms without a piece before the reply fails with TIMEOUT (default: the client's requestTimeout). */
  timeout?: number;
}

export interface StreamLink {
  /** Asks `api` for a streamed reply and shows it as one growing message; returns the stream (its `id` is the request's). */
  stream(api: string, params?: unknown, options?: StreamReplyOptions): { messageId: string; stream: ResponseStream<unknown> };
  /** Cancels the stream feeding message `id` (wire it to the panel's `stop` event); false when none does. */
  stop(id: string): boolean;
  dispose(): void;
}

/** A piece as text: strings as they are, `{ text }` objects by their text, anything else as JSON. */
function pieceText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object' && typeof (item as { text?: unknown }).text === 'string') return (item as { text: string }).text;
  return item === undefined || item === null ? '' : JSON.stringify(item);
}

export function streamLink(panel: StreamPanelApi, socket: StreamingSocket, defaults: { to?: string; peerRole: string }): StreamLink {
  const open = new Map<string, ResponseStream<unknown>>();

  function stillStreaming(id: string): boolean {
    const msg = panel.getMessage(id);
    return !!msg && msg.status === 'streaming';
  }

  function finish(id: string, status: 'sent' | 'failed'): void {
    open.delete(id);
    if (stillStreaming(id)) panel.updateMessage(id, { status });
  }

  return {
    stream(api, params, options = {}) {
      if (typeof socket.requestStream !== 'function') throw new HybridError('BAD_REQUEST', 'this socket cannot stream (use a SocketClient or managerSocket over the relay)');
      const messageId = options.id || createId('reply-');
      panel.appendMessage({ id: messageId, role: options.role || defaults.peerRole, type: options.type || 'text', content: '', status: 'streaming', time: Date.now() });
      const to = options.to !== undefined ? options.to : defaults.to;
      const request: StreamRequestOptions<unknown> = {
        // a piece that comes after the reader stopped the reply is dropped
        onChunk: (item) => {
          const text = pieceText(item);
          if (text && stillStreaming(messageId)) panel.appendDelta(messageId, text);
        },
      };
      if (to !== undefined) request.to = to;
      if (options.timeout !== undefined) request.timeout = options.timeout;
      const stream = socket.requestStream(api, params, request);
      open.set(messageId, stream);
      stream.done.then(
        () => finish(messageId, 'sent'),
        () => finish(messageId, 'failed'),
      );
      return { messageId, stream };
    },
    stop(id) {
      const stream = open.get(id);
      if (!stream) return false;
      stream.cancel('stopped by the reader');
      return true;
    },
    dispose() {
      for (const stream of Array.from(open.values())) stream.cancel('the chat link was disposed');
      open.clear();
    },
  };
}
