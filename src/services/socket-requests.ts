/**
 * The socket side of the relay: the same handler registry answers `request` frames that the H5
 * SDK sends through the relay server, and pushes can go to the page over the socket (no page
 * flicker, real time) instead of the hash.
 *
 *   const client = new SocketClient({ transport: wxSocketTransport(), target: url + '?token=…&env=miniapp' });
 *   serveSocketRequests(client);            // H5 bridge.call(...) with transport 'socket' or 'auto'
 *   pushOverSocket(client, 'cart', { n });  // H5 bridge.on('cart', ...)
 */
import { HandlerRegistry, defaultRegistry } from '../core/registry';
import { H5_ENV } from '../core/protocol/envs';
import type { ReliableSendResult, SocketClient } from '../core/socket/client';

/** The env name the H5 SDK connects with. */
export { H5_ENV };

/** Answers socket requests from `registry`; a caller asking for a stream gets the handler's async iterable item by item. */
export function serveSocketRequests(client: Pick<SocketClient, 'onRequest'>, registry: HandlerRegistry<any> = defaultRegistry): () => void {
  return client.onRequest((api, params, frame) => {
    const options = { req: frame.id, source: 'socket' as const };
    return frame.stream ? registry.stream(api, params, options) : registry.call(api, params, options);
  });
}

/** A reliable message `{ event, data }` to the H5 page (acked, resent after a reconnect). */
export function pushOverSocket(client: Pick<SocketClient, 'emit'>, event: string, data?: unknown, to: string = H5_ENV): ReliableSendResult {
  return client.emit(event, data, { to, reliable: true });
}
