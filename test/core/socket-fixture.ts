/**
 * Shared set-up for the socket client tests: the ws-backed wx, short timings, and a relay on
 * 127.0.0.1 — our own (src/server, built) for tests about talking to the relay, behind a TCP proxy
 * when the test cuts connections, or the misbehaving stand-in (test/helpers/misbehaving-relay.ts)
 * only for faults our relay never produces (withheld acks and pongs, forged frames).
 */
import { SocketClient, SocketClientOptions, SocketState } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { MisbehavingRelay } from '../helpers/misbehaving-relay';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { sleep, waitFor } from '../helpers/wait';
import * as net from 'net';
import { Handshake, startProxiedRelay } from '../helpers/proxied-relay';
import { Relay, RelayOptions, socketUrl, startRelay } from '../server/helpers';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startCli } = require('../../tools/lib/fault-run') as { startCli(port: number): Promise<{ kill(): Promise<void> }> };

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
  /** The URL a client of token+env connects to. */
  url(token: string, env: string): string;
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
    url,
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

/** Our relay behind a TCP proxy: `cut()` drops every connection at once, as a dead network path does. */
export interface ProxiedRelayRig extends Rig<Relay> {
  /** Destroys every proxied connection (both sides see it drop); returns how many. */
  cut(): number;
  /** What the relay saw at each upgrade (its verify hook): token, env, `x-test` header. */
  handshakes: Handshake[];
}

/** Clients against our relay (the built src/server) through a TCP proxy on 127.0.0.1:0. */
export async function startProxiedRelayRig(options: Partial<RelayOptions> = {}): Promise<ProxiedRelayRig> {
  const proxied = await startProxiedRelay(options);
  const rig = rigAround(proxied.relay, proxied.url, () => proxied.close());
  return { ...rig, cut: () => proxied.cut(), handshakes: proxied.handshakes };
}

/** Our relay as users run it (`hybrid-kit serve`, a child process) that a test SIGKILLs and restarts on the same port. */
export interface KillableRelay {
  readonly port: number;
  url(token?: string, env?: string): string;
  /** SIGKILL: every connection drops with no close frame, the port refuses. */
  kill(): Promise<void>;
  /** A fresh process on the same port (a SIGKILLed relay keeps nothing in memory). */
  restart(): Promise<void>;
  /** Open connections now, from the relay's /healthz. */
  connections(): Promise<number>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Clients against the CLI relay on 127.0.0.1 (`rig.server` kills and restarts it). */
export async function startKillableRelayRig(): Promise<Rig<KillableRelay>> {
  const port = await freePort();
  let cli: { kill(): Promise<void> } | undefined = await startCli(port);
  const relay: KillableRelay = {
    port,
    url: (token = 't1', env = 'miniapp') => `ws://127.0.0.1:${port}/socket?token=${encodeURIComponent(token)}&env=${encodeURIComponent(env)}&v=1`,
    async kill() {
      await cli?.kill();
      cli = undefined;
    },
    async restart() {
      cli = await startCli(port);
    },
    async connections() {
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { connections: number };
      return health.connections;
    },
  };
  return rigAround(relay, relay.url, () => relay.kill());
}

export function waitState(client: SocketClient, state: SocketState, timeoutMs = 3000): Promise<void> {
  return waitFor(() => client.state === state, timeoutMs, `state ${state} (now ${client.state})`);
}
