/** Shared set-up for the socket client tests: a protocol server, the ws-backed wx, short timings. */
import { SocketClient, SocketClientOptions, SocketState } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { ProtocolServer } from '../helpers/protocol-server';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { sleep, waitFor } from '../helpers/wait';

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

export interface Rig {
  server: ProtocolServer;
  wx: WsWx;
  clients: SocketClient[];
  client(options?: Partial<SocketClientOptions> & { env?: string; token?: string }): SocketClient;
  teardown(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const server = await ProtocolServer.start();
  const wx = createWsWx();
  const clients: SocketClient[] = [];
  return {
    server,
    wx,
    clients,
    client({ env = 'miniapp', token = 't1', ...options } = {}) {
      const c = new SocketClient({ transport: wxSocketTransport({}, wx), target: server.url(token, env), ...FAST, ...options });
      clients.push(c);
      return c;
    },
    async teardown() {
      for (const c of clients) c.destroy();
      await server.close();
      await wx.settled();
      for (const c of clients) if (c.busy) throw new Error('a client still holds a task or a timer after destroy()');
      if (wx.invalidCloses) throw new Error(`${wx.invalidCloses} task.close() calls with a code or reason WeChat refuses`);
    },
  };
}

export function waitState(client: SocketClient, state: SocketState, timeoutMs = 3000): Promise<void> {
  return waitFor(() => client.state === state, timeoutMs, `state ${state} (now ${client.state})`);
}
