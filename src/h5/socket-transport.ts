/**
 * The socket transport of the H5 SDK: calls go to the mini program through the relay server
 * (`request`/`response` frames, answered by the mini program's handler registry), pushes come
 * back as messages. Built on the shared core SocketClient (reconnect, heartbeat, queue).
 * `isOpen()` is true only while the socket is open AND the mini program is online on it, so
 * `createBridge({ socket })` falls back to the navigate channel otherwise.
 */
import { SocketClient, SocketClientOptions } from '../core/socket/client';
import { WebSocketLikeConstructor, webSocketTransport } from '../core/socket/transport';
import { withQuery } from '../core/socket/target';
import { HybridError } from '../core/errors';
import { CallTransport, ResponseStream, StreamOptions } from './types';
import { H5_ENV, MINIAPP_ENV } from '../core/protocol/envs';

declare module './types' {
  interface CallTransportNames {
    /** createSocketCallTransport */
    socket: true;
  }
}

export interface SocketCallTransportOptions {
  /** The relay's socket URL, e.g. wss://example.com/socket. */
  url: string;
  token: string;
  /** This page's env name (default 'h5'). */
  env?: string;
  /** The mini program's env name (default 'miniapp'). */
  peer?: string;
  /** Default: the browser's WebSocket. */
  WebSocket?: WebSocketLikeConstructor;
  /** Passed to the SocketClient (timeouts, heartbeat, backoff). */
  client?: Partial<Omit<SocketClientOptions, 'transport' | 'target'>>;
}

export interface SocketCallTransport extends CallTransport {
  readonly client: SocketClient;
  /** True while the mini program is connected to the relay with the same token. */
  peerOnline(): boolean;
  /**
   * Calls a mini program handler that answers with a stream (an `async function*`): items in
   * order, once, across reconnects. Throws OFFLINE while the mini program is not connected. Only
   * the socket streams: the navigate/hash channel carries one reply per call.
   */
  stream<T = unknown>(api: string, params?: unknown, options?: StreamOptions<T>): ResponseStream<T>;
}

export function createSocketCallTransport(options: SocketCallTransportOptions): SocketCallTransport {
  const Ctor = options.WebSocket || (typeof WebSocket !== 'undefined' ? (WebSocket as unknown as WebSocketLikeConstructor) : undefined);
  if (!Ctor) throw new HybridError('BAD_REQUEST', 'no WebSocket constructor: pass options.WebSocket');
  if (!options.token) throw new HybridError('UNAUTHORIZED', 'the socket transport needs a token');
  const peer = options.peer || MINIAPP_ENV;
  const client = new SocketClient({
    ...options.client,
    transport: webSocketTransport(Ctor),
    target: withQuery(options.url, { token: options.token, env: options.env || H5_ENV }),
  });
  let online = false;
  client.on('hello', (hello) => {
    online = !!hello.peers && hello.peers.indexOf(peer) >= 0;
  });
  client.on('presence', (p) => {
    if (p.env === peer) online = p.online;
  });
  client.on('close', () => {
    online = false;
  });
  client.connect();
  return {
    name: 'socket',
    client,
    peerOnline: () => online,
    isOpen: () => online && client.state === 'open',
    call: (api, params, timeout) => client.request(api, params, { to: peer, timeout }),
    stream: (api, params, streamOptions) => {
      if (!online) throw new HybridError('OFFLINE', `the mini program ("${peer}") is not connected to the relay`);
      return client.requestStream(api, params, { ...streamOptions, to: peer });
    },
    onPush: (fn) => client.on('message', (frame) => {
      if (frame.event) fn(frame.event, frame.data);
    }),
    close: () => client.destroy(),
  };
}
