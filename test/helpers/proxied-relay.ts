/**
 * Our relay (the built src/server) on 127.0.0.1 behind a TCP proxy, for tests that cut connections
 * the way a dead network path does (`cut()`, both sides see the drop) and that want to know what
 * the relay saw at each upgrade (recorded by its own `verify` hook: token, env, an `x-test` header).
 */
import { startTcpProxy, TcpProxy } from '../../tools/lib/tcp-proxy';
import { Relay, RelayOptions, socketUrl, startRelay } from '../server/helpers';

export interface Handshake {
  token: string;
  env: string;
  header?: string;
}

export interface ProxiedRelay {
  readonly relay: Relay;
  /** The proxy's port: clients connect here. */
  readonly port: number;
  /** ws://127.0.0.1:<proxy>/socket, without a query. */
  readonly base: string;
  /** The URL of a protocol client (v=1) of token+env, through the proxy. */
  url(token: string, env: string): string;
  /** Every upgrade the relay accepted, in order. */
  readonly handshakes: Handshake[];
  /** Drops every proxied connection at once; returns how many. */
  cut(): number;
  /** Connections open on the relay now, and accepted since it started. */
  connections(): { open: number; total: number };
  close(): Promise<void>;
}

export async function startProxiedRelay(options: Partial<RelayOptions> = {}): Promise<ProxiedRelay> {
  const handshakes: Handshake[] = [];
  const relay = await startRelay({
    verify: async ({ token, env, request }) => {
      handshakes.push({ token, env, header: request.headers['x-test'] as string | undefined });
      return token;
    },
    ...options,
  });
  const relayPort = relay.address()!.port;
  const proxy: TcpProxy = await startTcpProxy(relayPort);
  const base = `ws://127.0.0.1:${proxy.port}/socket`;
  return {
    relay,
    port: proxy.port,
    base,
    url: (token, env) => socketUrl(relay, token, env).replace(`:${relayPort}/`, `:${proxy.port}/`),
    handshakes,
    cut: () => proxy.cut(),
    connections: () => {
      const m = relay.metrics();
      return { open: m.connections, total: m.connectionsTotal };
    },
    async close() {
      await proxy.close();
      await relay.close({ graceMs: 50 });
    },
  };
}
