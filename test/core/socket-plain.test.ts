/**
 * SocketClient in plain mode against a real `ws` server that knows nothing of our protocol, and
 * the `raw` hook in hybrid mode. The wx SocketTask is the ws-backed one (test/helpers/ws-wx.ts).
 */
import { AddressInfo } from 'net';
import WebSocket, { WebSocketServer } from 'ws';
import { SocketClient, SocketClientOptions, readRaw, RawFrame } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { FAST, startMisbehavingRig, waitFor, sleep } from './socket-fixture';
import { seededRandom } from '../helpers/random';

/** A server of its own kind: answers "ping" with "pong" unless `silent`, echoes nothing else. */
class PlainServer {
  readonly received: Array<string | Buffer> = [];
  connections = 0;
  silent = false;
  readonly sockets = new Set<WebSocket>();
  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data, isBinary) => {
        const value = isBinary ? (data as Buffer) : data.toString();
        this.received.push(value);
        if (value === 'ping' && !this.silent) socket.send('pong');
      });
    });
  }

  static async start(): Promise<PlainServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    return new PlainServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/feed`;
  }

  broadcast(data: string | Buffer): void {
    for (const s of this.sockets) s.send(data);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

let server: PlainServer;
let wx: WsWx;
let client: SocketClient | undefined;

beforeEach(async () => {
  server = await PlainServer.start();
  wx = createWsWx();
});

afterEach(async () => {
  client?.destroy();
  await server.close();
  await wx.settled();
  if (client?.busy) throw new Error('the client still holds a task or a timer after destroy()');
  client = undefined;
});

function plainClient(options: Partial<SocketClientOptions> = {}): { client: SocketClient; raws: RawFrame[] } {
  const c = new SocketClient({ transport: wxSocketTransport({}, wx), target: server.url, ...FAST, protocol: 'plain', ...options });
  const raws: RawFrame[] = [];
  c.on('raw', (raw) => raws.push(raw));
  client = c;
  return { client: c, raws };
}

test('nothing of ours is sent: idle for a while, the server has received nothing', async () => {
  const { client: c } = plainClient({ heartbeatInterval: 20 }); // the hybrid heartbeat option does not apply
  c.connect();
  await waitFor(() => c.state === 'open', 3000, 'open');
  await sleep(150);
  expect(server.received).toEqual([]);
  expect(c.protocol).toBe('plain');
});

test('sendRaw queues until open, keeps order, and sends text as it is and objects as JSON', async () => {
  const { client: c } = plainClient();
  expect(c.sendRaw('first').status).toBe('queued');
  expect(c.sendRaw({ n: 2, s: '二' }).status).toBe('queued');
  c.connect();
  await waitFor(() => server.received.length === 2, 3000, 'the queued frames');
  expect(c.sendRaw('third').status).toBe('sent');
  await waitFor(() => server.received.length === 3, 3000, 'the third frame');
  expect(server.received).toEqual(['first', '{"n":2,"s":"二"}', 'third']);
});

test('sendRaw limits: exactly maxFrameBytes goes, one byte more is PAYLOAD_TOO_LARGE, a cycle is BAD_REQUEST', () => {
  const { client: c } = plainClient({ maxFrameBytes: 64 });
  expect(c.sendRaw('中'.repeat(21) + 'x').status).toBe('queued'); // 63 + 1 bytes
  expect(() => c.sendRaw('中'.repeat(21) + 'xy')).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => c.sendRaw(cyclic)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(c.stats().queued).toBe(1);
});

test('every inbound frame reaches `raw`: JSON parsed, other text as text, binary as bytes', async () => {
  const { client: c, raws } = plainClient();
  const binaries: ArrayBuffer[] = [];
  c.on('binary', (b) => binaries.push(b));
  c.connect();
  await waitFor(() => server.sockets.size === 1, 3000, 'the connection');
  server.broadcast('{"content":"hi","timestamp":"10:00"}');
  server.broadcast('hello there');
  server.broadcast('{broken');
  server.broadcast('42');
  server.broadcast(Buffer.from([1, 2, 3]));
  await waitFor(() => raws.length === 5, 3000, 'five frames');
  expect(raws.slice(0, 4).map((r) => [r.isJson, r.json, r.data])).toEqual([
    [true, { content: 'hi', timestamp: '10:00' }, '{"content":"hi","timestamp":"10:00"}'],
    [false, undefined, 'hello there'],
    [false, undefined, '{broken'],
    [true, 42, '42'],
  ]);
  expect(Array.from(new Uint8Array(raws[4].data as ArrayBuffer))).toEqual([1, 2, 3]);
  expect(binaries).toHaveLength(1);
  // No frame of the server was answered with one of ours (no acks, no pongs).
  expect(server.received).toEqual([]);
});

test('a heartbeat with an expected reply: replies are swallowed; a server that stops answering is replaced', async () => {
  const { client: c, raws } = plainClient({ plainHeartbeat: { text: 'ping', reply: 'pong', interval: 30, timeout: 60 } });
  c.connect();
  await waitFor(() => server.received.filter((t) => t === 'ping').length >= 3, 3000, 'three pings');
  expect(raws).toEqual([]); // every 'pong' was the heartbeat's
  expect(c.state).toBe('open');
  server.silent = true; // half-open: the socket stays up, nothing comes back
  await waitFor(() => server.connections === 2, 3000, 'a new connection');
  server.silent = false;
  await waitFor(() => c.state === 'open', 3000, 'open again');
});

test('a heartbeat without a reply is a keepalive only: silence never closes the connection', async () => {
  const { client: c } = plainClient({ plainHeartbeat: { text: '{"op":"keepalive"}', interval: 25 } });
  c.connect();
  await waitFor(() => server.received.length >= 4, 3000, 'four keepalives');
  expect(new Set(server.received)).toEqual(new Set(['{"op":"keepalive"}']));
  expect(server.connections).toBe(1);
  expect(() => new SocketClient({ transport: wxSocketTransport({}, wx), target: server.url, protocol: 'plain', plainHeartbeat: { text: '' } })).toThrow(
    expect.objectContaining({ code: 'BAD_REQUEST' }),
  );
});

test('hybrid mode: inbound text that is not one of our frames still reaches `raw` (and `error`)', async () => {
  const rig = await startMisbehavingRig();
  try {
    const c = rig.client();
    const raws: RawFrame[] = [];
    const errors: string[] = [];
    c.on('raw', (raw) => raws.push(raw));
    c.on('error', (err) => errors.push(err.code));
    c.connect();
    await waitFor(() => c.state === 'open', 3000, 'open');
    rig.server.pushRaw('t1', 'miniapp', '{"content":"no type here"}');
    await waitFor(() => raws.length === 1, 3000, 'the raw frame');
    expect(raws[0]).toEqual({ data: '{"content":"no type here"}', json: { content: 'no type here' }, isJson: true });
    expect(errors).toEqual(['BAD_REQUEST']);
  } finally {
    await rig.teardown();
  }
});

test('property: readRaw never throws; isJson exactly when the text is JSON (within the nesting limit)', () => {
  const next = seededRandom(7);
  const pieces = ['{', '}', '[', ']', '"', ':', ',', '1', '-', 'e', 'true', 'null', ' ', '\\', 'a', '中', '0.5', '"x"'];
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const n = Math.floor(next() * 10);
    for (let j = 0; j < n; j++) text += pieces[Math.floor(next() * pieces.length)];
    const raw = readRaw(text)!;
    let parsed: { ok: boolean; value?: unknown } = { ok: false };
    try {
      parsed = { ok: true, value: JSON.parse(text) };
    } catch {
      // not JSON
    }
    expect([text, raw.isJson]).toEqual([text, parsed.ok]);
    if (parsed.ok) expect(raw.json).toEqual(parsed.value);
    expect(raw.data).toBe(text);
  }
  const deep = '['.repeat(40) + ']'.repeat(40);
  expect(readRaw(deep)).toEqual({ data: deep, isJson: false }); // too deep to parse safely: text
  expect(readRaw(undefined)).toBeUndefined();
});
