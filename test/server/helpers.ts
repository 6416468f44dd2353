/** Test helpers for the relay: start the BUILT server on 127.0.0.1:0, and a plain `ws` client. */
import * as path from 'path';
import { WebSocket } from 'ws';
import type * as ServerModule from '../../src/server';
import { startRedis, TestRedis } from '../helpers/redis';

export const DIST_SERVER = path.resolve(__dirname, '../../dist/node/server');
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const server: typeof ServerModule = require(DIST_SERVER);

export type Relay = ServerModule.RelayServer;
export type RelayOptions = ServerModule.RelayOptions;

/** Short intervals so every test file stays fast; callers override what they test. */
export async function startRelay(options: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = server.createRelayServer({ port: 0, logger: false, resumeWaitMs: 100, pingIntervalMs: 5000, ...options });
  await relay.listen();
  return relay;
}

export function socketUrl(relay: Relay, token: string, env: string): string {
  // v=1: a client of this protocol (without it the relay serves the connection as an old client).
  return `${relay.url()}?token=${encodeURIComponent(token)}&env=${encodeURIComponent(env)}&v=1`;
}

export type AnyFrame = { type: string; [k: string]: any };

/** A plain ws client that records every frame and close. */
export class TestClient {
  readonly frames: AnyFrame[] = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  private waiters: Array<() => void> = [];

  /** `legacy`: connect like a client of the old relay (no `v` in the URL); otherwise `v=1` is added. */
  constructor(url: string, headers: Record<string, string> = {}, options: { legacy?: boolean } = {}) {
    this.ws = new WebSocket(options.legacy || /[?&]v=/.test(url) ? url : url + (url.indexOf('?') >= 0 ? '&' : '?') + 'v=1', { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.notify();
        resolve(code);
      });
    });
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString()));
      this.notify();
    });
  }

  static async open(relay: Relay, token: string, env: string, resume?: number): Promise<TestClient> {
    const client = new TestClient(socketUrl(relay, token, env));
    await client.opened;
    await client.next((f) => f.type === 'hello');
    if (resume !== undefined) client.send({ type: 'resume', lastSeq: resume });
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  of(type: string): AnyFrame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Highest seq received so far (what a protocol client confirms). */
  get lastSeq(): number {
    return this.frames.reduce((max, f) => (typeof f.seq === 'number' && f.seq > max ? f.seq : max), 0);
  }

  /** Resolves with the first recorded frame matching `match` (already received or not). */
  next(match: (f: AnyFrame) => boolean, timeoutMs = 8000): Promise<AnyFrame> {
    return this.until(() => this.frames.find(match), timeoutMs, 'frame');
  }

  /** Resolves once `count` frames match. */
  count(match: (f: AnyFrame) => boolean, count: number, timeoutMs = 8000): Promise<AnyFrame[]> {
    return this.until(() => {
      const found = this.frames.filter(match);
      return found.length >= count ? found : undefined;
    }, timeoutMs, `${count} frames`);
  }

  waitClose(timeoutMs = 8000): Promise<number> {
    return this.until(() => (this.closeCode === null ? undefined : this.closeCode), timeoutMs, 'close');
  }

  close(): Promise<number> {
    if (this.closeCode === null && this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    return this.closed;
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(value);
        return true;
      };
      const waiter = () => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))} close=${this.closeCode}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(waiter);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** The HTTP status a refused upgrade answered with (and its JSON body). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode || 0, body: body ? JSON.parse(body) : null }));
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the socket opened'));
    });
    ws.on('error', () => undefined);
  });
}

export async function closeAll(clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

/** Lets frames in flight arrive (used only to show that something did NOT arrive). */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A `startRelay` whose relays are all closed after the test file (registers the afterAll). */
export function relayFactory(): (options?: Partial<RelayOptions>) => Promise<Relay> {
  const relays: Relay[] = [];
  afterAll(() => Promise.all(relays.map((r) => r.close())));
  return async (options = {}) => {
    const relay = await startRelay(options);
    relays.push(relay);
    return relay;
  };
}

/**
 * A throwaway redis-server for one test file and the relays started on it: all stopped after the
 * file (registers beforeAll/afterAll). `prefix()` gives each test its own key prefix.
 */
export function redisRelays() {
  let redis: TestRedis | null = null;
  const open: Relay[] = [];
  let prefixNo = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await redis?.stop();
  });
  return {
    get redis(): TestRedis {
      return redis!;
    },
    prefix: () => `t${++prefixNo}:`,
    async start(options: Partial<RelayOptions> = {}): Promise<Relay> {
      const relay = await startRelay({ redisUrl: redis!.url, ...options });
      open.push(relay);
      return relay;
    },
    /** Closes one relay before the end of the file. */
    async close(relay: Relay): Promise<void> {
      open.splice(open.indexOf(relay), 1);
      await relay.close();
    },
  };
}
