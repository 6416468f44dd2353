/**
 * Shared set-up for the socket client tests: the ws-backed wx, short timings, and a relay on
 * 127.0.0.1 — our own (src/server, built) for tests about talking to the relay, or the misbehaving
 * stand-in (test/helpers/misbehaving-relay.ts) for tests of the client against faults.
 */
import { SocketClient, SocketClientOptions, SocketState } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { MisbehavingRelay } from '../helpers/misbehaving-relay';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { sleep, waitFor } from '../helpers/wait';
import { Relay, socketUrl, startRelay } from '../server/helpers';

export { sleep, waitFor };

/** Timings short enough for tests, long enough for a loaded CI machine. */
export const FAST: Partial<SocketClientOptions> = {
  backoff: { base: 10, cap: 40 },
  minUptime: 200,
  connectTimeout: 1000,
  heartbeatInterval: 0,
  ackTimeout: 300,
  requestTimeout: 1000,
  closeTimeout: 200,
};

export interface Rig<Server = MisbehavingRelay> {
  server: Server;
  wx: WsWx;
  clients: SocketClient[];
  client(options?: Partial<SocketClientOptions> & { env?: string; token?: string }): SocketClient;
  teardown(): Promise<void>;
}

function rigAround<Server>(server: Server, url: (token: string, env: string) => string, close: () => Promise<void>): Rig<Server> {
  const wx = createWsWx();
  const clients: SocketClient[] = [];
  return {
    server,
    wx,
    clients,
    client({ env = 'miniapp', token = 't1', ...options } = {}) {
      const c = new SocketClient({ transport: wxSocketTransport({}, wx), target: url(token, env), ...FAST, ...options });
      clients.push(c);
      return c;
    },
    async teardown() {
      for (const c of clients) c.destroy();
      await close();
      await wx.settled();
      for (const c of clients) if (c.busy) throw new Error('a client still holds a task or a timer after destroy()');
      if (wx.invalidCloses) throw new Error(`${wx.invalidCloses} task.close() calls with a code or reason WeChat refuses`);
    },
  };
}

/** Clients against the misbehaving stand-in relay (its knobs and its record of every frame on `server`). */
export async function startMisbehavingRig(): Promise<Rig<MisbehavingRelay>> {
  const server = await MisbehavingRelay.start();
  return rigAround(server, (token, env) => server.url(token, env), () => server.close());
}

/** Clients against our relay (the built src/server on 127.0.0.1:0). */
export async function startRelayRig(): Promise<Rig<Relay>> {
  const relay = await startRelay();
  return rigAround(relay, (token, env) => socketUrl(relay, token, env), () => relay.close({ graceMs: 50 }));
}

export function waitState(client: SocketClient, state: SocketState, timeoutMs = 3000): Promise<void> {
  return waitFor(() => client.state === state, timeoutMs, `state ${state} (now ${client.state})`);
}
