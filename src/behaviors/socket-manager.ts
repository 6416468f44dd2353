/**
 * socket-manager: mix into a page built with Component() or into a component. Pages that use the
 * same URL share one connection (socket-pool); page data gets `socketState`, set only when it
 * changes; subscriptions made through the behavior are removed on detach.
 *
 * Configure with the properties socketUrl / socketToken / socketEnv, or by defining a
 * `socketConfig()` method on the host that returns a SocketManagerConfig (token providers,
 * options, keepAlive…). A host method `onSocketMessage(frame)` receives every message, and
 * `onSocketRaw(raw)` every frame a plain server sends (`protocol: 'plain'`, see core/socket/plain).
 */
import type { BehaviorHost } from '../adapters/behavior-host';
import { Unsubscribe } from '../core/emitter';
import { HybridError } from '../core/errors';
import { MINIAPP_ENV } from '../core/protocol/envs';
import { Frame, MessageFrame } from '../core/frames';
import { EmitOptions, RequestHandler, SendResult, SocketClient, SocketClientEvents, Subscriber } from '../core/socket/client';
import type { RawFrame } from '../core/socket/plain';
import type { ResponseStream, StreamRequestOptions } from '../core/socket/stream-calls';
import { acquireSocket, poolKey, SocketLease, SocketManagerConfig } from '../services/socket-pool';

export { acquireSocket, closeAllSockets, socketPoolStats, setAppEventsApi } from '../services/socket-pool';
export type { SocketManagerConfig, SocketLease } from '../services/socket-pool';

interface SocketUse {
  lease: SocketLease;
  /** Everything to undo on stop: state mirror, host hook, subscriptions, request handler. */
  offs: Unsubscribe[];
}

/** Per host instance; a WeakMap so nothing non-serializable sits in `data`. */
const uses = new WeakMap<object, SocketUse>();
/** Hosts between attached and detached: property changes before attach do not start anything. */
const attachedHosts = new WeakSet<object>();

function activeUse(host: object): SocketUse {
  const use = uses.get(host);
  if (!use) throw new HybridError('OFFLINE', 'socket-manager is not started (no url configured, or the host is detached)');
  return use;
}

export const socketManager = Behavior({
  properties: {
    socketUrl: { type: String, value: '' },
    socketToken: { type: String, value: '' },
    socketEnv: { type: String, value: MINIAPP_ENV },
  },
  data: {
    /** idle | connecting | open | waiting | paused | closing | closed | failed */
    socketState: 'idle',
  },
  observers: {
    'socketUrl, socketToken, socketEnv'() {
      // Before attached (the initial property fill), attached() starts.
      if (!attachedHosts.has(this)) return;
      const use = uses.get(this);
      const config = this.socketResolveConfig();
      // Cleared: close. Another identity: reconnect. Set after attach: connect.
      if (use && (!config || use.lease.key !== poolKey(config))) this.socketStop();
      if (config && !uses.has(this)) this.socketStart();
    },
  },
  lifetimes: {
    attached() {
      attachedHosts.add(this);
      this.socketStart();
    },
    detached() {
      attachedHosts.delete(this);
      this.socketStop();
    },
  },
  methods: {
    /** Hosts override this to configure the connection in code. */
    socketConfig(): SocketManagerConfig | undefined {
      return undefined;
    },

    socketResolveConfig(): SocketManagerConfig | undefined {
      const fromHost = this.socketConfig();
      if (fromHost) return fromHost;
      const { socketUrl, socketToken, socketEnv } = this.data;
      return socketUrl ? { url: socketUrl, token: socketToken || undefined, env: socketEnv || undefined } : undefined;
    },

    /** Joins the shared connection. Idempotent; false when no URL is configured. Pages built with Page() call it in onLoad. */
    socketStart(): boolean {
      if (uses.has(this)) return true;
      const config = this.socketResolveConfig();
      if (!config) return false;
      const lease = acquireSocket(config);
      const client = lease.client;
      const host = this as unknown as { onSocketMessage?: (frame: MessageFrame) => void; onSocketRaw?: (raw: RawFrame) => void };
      const offs: Unsubscribe[] = [
        client.on('state', ({ to }) => {
          if (this.data.socketState !== to) this.setData({ socketState: to });
        }),
      ];
      if (typeof host.onSocketMessage === 'function') offs.push(client.on('message', (frame) => host.onSocketMessage!(frame)));
      if (typeof host.onSocketRaw === 'function') offs.push(client.on('raw', (raw) => host.onSocketRaw!(raw)));
      uses.set(this, { lease, offs });
      if (this.data.socketState !== client.state) this.setData({ socketState: client.state });
      return true;
    },

    /** Leaves the shared connection and removes every listener this host added. Idempotent; Page() hosts call it in onUnload. */
    socketStop(): void {
      const use = uses.get(this);
      if (!use) return;
      uses.delete(this);
      for (const off of use.offs) off();
      use.lease.release();
    },

    socketClient(): SocketClient | undefined {
      const use = uses.get(this);
      return use && use.lease.client;
    },

    /**
     * An application message. Reliable ones (`{ reliable: true, id?, ttl? }`) report their outcome:
     * `result.delivered` settles on the ack or when given up, and the `ack` / `undelivered` client
     * events (socketOn) carry the id.
     */
    socketEmit(event: string, data?: unknown, options?: EmitOptions): SendResult {
      return activeUse(this).lease.client.emit(event, data, options);
    },

    /** Listens to a client event (`ack`, `undelivered`, `hello`, `presence`, `open`…); removed automatically on detach. */
    socketOn<K extends keyof SocketClientEvents>(event: K, fn: (payload: SocketClientEvents[K]) => void): Unsubscribe {
      const use = activeUse(this);
      const off = use.lease.client.on(event, fn);
      use.offs.push(off);
      return off;
    },

    /**
     * Sends a frame of ours (an object with `type`), or, for a plain server (`protocol: 'plain'`)
     * or any text: a string as it is and an object as its JSON text. Queued while not open.
     */
    socketSend(frame: Frame | string | object, options?: { ttl?: number }): SendResult {
      const client = activeUse(this).lease.client;
      if (typeof frame === 'string' || client.protocol === 'plain') return client.sendRaw(frame, options);
      return client.send(frame as Frame, options);
    },

    /** Every frame a plain server sends (text, JSON parsed when it parses, or binary); removed automatically on detach. */
    socketOnRaw(fn: (raw: RawFrame) => void): Unsubscribe {
      return this.socketOn('raw', fn);
    },

    /**
     * Calls a handler on the peer. With `onChunk` the answer is a stream: every item goes to
     * `onChunk` in order, and the promise resolves with the number of items when it ends.
     */
    socketRequest<T = unknown>(api: string, params?: unknown, options?: { to?: string; timeout?: number; onChunk?(item: unknown, index: number): void }): Promise<T> {
      const use = uses.get(this);
      if (!use) return Promise.reject(new HybridError('OFFLINE', 'socket-manager is not started'));
      if (options && options.onChunk) {
        try {
          return this.socketStream(api, params, options).done as unknown as Promise<T>;
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return use.lease.client.request<T>(api, params, options);
    },

    /** A streamed answer (`for await`, or `onChunk` + `done`); cancelled when the host detaches. */
    socketStream<T = unknown>(api: string, params?: unknown, options: StreamRequestOptions<T> = {}): ResponseStream<T> {
      const use = activeUse(this);
      const stream = use.lease.client.requestStream<T>(api, params, options);
      use.offs.push(() => stream.cancel('the page or component went away'));
      return stream;
    },

    /** Messages by `event` (and relay-format frames by `type`); removed automatically on detach. */
    socketSubscribe(name: string, fn: Subscriber): Unsubscribe {
      const use = activeUse(this);
      const off = use.lease.client.subscribe(name, fn);
      use.offs.push(off);
      return off;
    },

    /**
     * Serves peer requests while this host is attached. Handlers stack on the shared connection:
     * the most recently attached host answers; when it detaches the one below answers again.
     */
    socketOnRequest(handler: RequestHandler): Unsubscribe {
      const use = activeUse(this);
      const off = use.lease.client.onRequest(handler);
      use.offs.push(off);
      return off;
    },

    socketReconnect(): void {
      activeUse(this).lease.client.reconnect('socketReconnect()');
    },
  },
});

/** `this` of a page or component with socketManager (for pages built with Page(), which does not type behaviors). */
export type SocketManagerHost = BehaviorHost<typeof socketManager>;
