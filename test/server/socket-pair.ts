/** A real `ws` server socket and its client on 127.0.0.1, for unit tests of the relay's parts. */
import type { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';
import { waitFor } from '../helpers/wait';

export interface SocketPair {
  /** The relay's side. */
  server: WebSocket;
  /** Frames the client received, parsed. */
  received: Array<{ type: string; [k: string]: any }>;
  client: WebSocket;
  /** Resolves once the client holds `count` frames. */
  receivedCount(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function socketPair(): Promise<SocketPair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: SocketPair['received'] = [];
  client.on('message', (data) => received.push(JSON.parse(String(data))));
  client.on('error', () => undefined);
  await new Promise((resolve) => client.once('open', resolve));
  const server = await serverSide;
  return {
    server,
    client,
    received,
    receivedCount: (count) => waitFor(() => received.length >= count, 5000, `${count} frames (got ${received.length})`),
    async close() {
      client.terminate();
      server.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
