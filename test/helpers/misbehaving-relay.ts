/**
 * A stand-in relay that misbehaves on demand. Our own fake only proves that the client agrees with
 * us, so it is kept for what our relay (src/server) never does on the wire, and for a record of the
 * exact frames a client wrote:
 *  - stops answering pings while the socket stays up (half-open detection);
 *  - withholds acks (resends, ttl expiry, retry by id);
 *  - writes raw, binary, forged or replayed frames (an error frame for an id, a seq already seen);
 *  - closes every connection with a chosen close code (4008, 4500-4999, 1000 policies);
 *  - `inbox`: every frame the client sent, as sent (our relay stamps and reroutes them).
 * Everything else runs against our relay: test/helpers/proxied-relay.ts (behind a TCP proxy, mini
 * program tests), test/core/socket-fixture.ts startRelayRig (in process),
 * startProxiedRelayRig (behind a TCP proxy that cuts connections), startKillableRelayRig
 * (`hybrid-kit serve`, SIGKILLed and restarted). Otherwise it speaks docs/protocol.md (hello, resume
 * replay, seq per token+env, forwarding, `echo` for a lone client). Binds 127.0.0.1 on port 0.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';

type Json = Record<string, unknown> & { type: string };

interface Peer {
  ws: WebSocket;
  token: string;
  env: string;
  /** Live frames wait until the client's `resume` has been answered with the replay (else replays would arrive after newer seqs). */
  resumed: boolean;
}

export interface MisbehavingRelayOptions {
  /** Reply to a lone client's messages by sending them back (default true). */
  echo?: boolean;
}

export class MisbehavingRelay {
  /** Knobs, changeable at any time. */
  answerPings = true;
  ackMessages = true;
  echo: boolean;
  /** Every frame received, in order (after JSON parse). */
  readonly inbox: Json[] = [];
  /** Reliable message ids received per id (duplicates show as counts > 1). */
  readonly receivedIds = new Map<string, number>();
  /** Connections accepted since start (across restarts). */
  connections = 0;
  /** The query of each accepted connection. */
  readonly handshakes: Array<{ token: string; env: string; header?: string }> = [];

  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly peers = new Set<Peer>();
  private readonly seqs = new Map<string, number>();
  private readonly backlogs = new Map<string, Json[]>();
  /** token|env pairs ever connected: frames for an offline env wait in its backlog. */
  private readonly known = new Set<string>();
  private portNumber = 0;

  private constructor(options: MisbehavingRelayOptions) {
    this.echo = options.echo ?? true;
  }

  static async start(options: MisbehavingRelayOptions = {}): Promise<MisbehavingRelay> {
    const server = new MisbehavingRelay(options);
    await server.listen(0);
    return server;
  }

  get port(): number {
    return this.portNumber;
  }

  url(token = 't1', env = 'miniapp'): string {
    return `ws://127.0.0.1:${this.portNumber}/socket?token=${encodeURIComponent(token)}&env=${encodeURIComponent(env)}`;
  }

  /** Open connections right now. */
  get openCount(): number {
    return this.peers.size;
  }

  /** Cuts every connection without a close frame (the client sees 1006). */
  dropAll(): void {
    for (const p of this.peers) p.ws.terminate();
  }

  /** Closes every connection with a close code. */
  closeAll(code: number, reason = ''): void {
    for (const p of this.peers) p.ws.close(code, reason);
  }

  /** Stops listening and cuts every connection; state (seq, backlogs) is kept for restart(). */
  async kill(): Promise<void> {
    this.dropAll();
    const { server, wss } = this;
    this.server = undefined;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restart(): Promise<void> {
    return this.listen(this.portNumber);
  }

  close(): Promise<void> {
    return this.kill();
  }

  /** Sends `frame` to token+env through the backlog (stamped with seq; replayed on resume). */
  push(token: string, env: string, frame: Json): void {
    const key = `${token}|${env}`;
    const seq = (this.seqs.get(key) || 0) + 1;
    this.seqs.set(key, seq);
    const stamped = { ...frame, seq };
    const backlog = this.backlogs.get(key) || [];
    backlog.push(stamped);
    this.backlogs.set(key, backlog);
    for (const p of this.peers) if (p.token === token && p.env === env && p.resumed) this.sendNow(p, stamped);
  }

  /** Writes raw text to the open connections of token+env, bypassing seq and backlog. */
  pushRaw(token: string, env: string, text: string): void {
    for (const p of this.peers) if (p.token === token && p.env === env && p.ws.readyState === WebSocket.OPEN) p.ws.send(text);
  }

  pushBinary(token: string, env: string, bytes: Uint8Array): void {
    for (const p of this.peers) if (p.token === token && p.env === env && p.ws.readyState === WebSocket.OPEN) p.ws.send(bytes, { binary: true });
  }

  backlogSize(token: string, env: string): number {
    return (this.backlogs.get(`${token}|${env}`) || []).length;
  }

  private listen(port: number): Promise<void> {
    const server = http.createServer((_req, res) => {
      res.writeHead(426);
      res.end();
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => this.accept(ws, req));
    this.server = server;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.portNumber = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(ws: WebSocket, req: http.IncomingMessage): void {
    const query = new URL(req.url || '/', 'http://127.0.0.1').searchParams;
    const peer: Peer = { ws, token: query.get('token') || '', env: query.get('env') || 'miniapp', resumed: false };
    this.connections++;
    this.handshakes.push({ token: peer.token, env: peer.env, header: req.headers['x-test'] as string | undefined });
    this.peers.add(peer);
    this.known.add(`${peer.token}|${peer.env}`);
    ws.on('close', () => this.peers.delete(peer));
    ws.on('error', () => undefined);
    ws.on('message', (data) => this.receive(peer, data.toString()));
    const others = Array.from(this.peers).filter((p) => p.token === peer.token && p.env !== peer.env).map((p) => p.env);
    this.sendNow(peer, { type: 'hello', v: 1, env: peer.env, peers: others });
  }

  private receive(peer: Peer, text: string): void {
    let frame: Json;
    try {
      frame = JSON.parse(text) as Json;
    } catch {
      return this.sendNow(peer, { type: 'error', code: 'BAD_REQUEST', message: 'not JSON' });
    }
    this.inbox.push(frame);
    switch (frame.type) {
      case 'resume':
        return this.replay(peer, Number(frame.lastSeq) || 0);
      case 'ping':
        this.trim(peer, Number(frame.lastSeq) || 0);
        if (this.answerPings) this.sendNow(peer, { type: 'pong', ts: frame.ts });
        return;
      case 'request':
        if (frame.api === 'echo' && !frame.to) return this.sendNow(peer, { type: 'response', id: frame.id, ok: true, data: frame.params });
        return this.forward(peer, frame, true);
      case 'message':
        if (typeof frame.id === 'string') {
          this.receivedIds.set(frame.id, (this.receivedIds.get(frame.id) || 0) + 1);
          // Forward (store in the peer's backlog) before acking: an acked message is never lost.
          this.forward(peer, frame, false);
          if (this.ackMessages) this.sendNow(peer, { type: 'ack', id: frame.id });
          return;
        }
        return this.forward(peer, frame, false);
      default:
        return this.forward(peer, frame, false);
    }
  }

  /** To `to`, or to every other env of the token; a lone client gets its message echoed when `echo` is on. */
  private forward(from: Peer, frame: Json, isRequest: boolean): void {
    const envs = new Set<string>();
    for (const p of this.peers) if (p.token === from.token && p.env !== from.env) envs.add(p.env);
    for (const key of this.known) {
      const [token, env] = key.split('|');
      if (token === from.token && env !== from.env) envs.add(env);
    }
    const targets = typeof frame.to === 'string' ? [frame.to] : Array.from(envs);
    if (!targets.length) {
      if (isRequest) return this.sendNow(from, { type: 'response', id: frame.id, ok: false, error: { code: 'METHOD_NOT_FOUND', message: 'no peer' } });
      if (this.echo && frame.type === 'message') this.push(from.token, from.env, { ...frame, from: 'server' });
      return;
    }
    for (const env of targets) this.push(from.token, env, { ...frame, from: from.env });
  }

  private replay(peer: Peer, lastSeq: number): void {
    peer.resumed = true;
    this.trim(peer, lastSeq);
    for (const frame of this.backlogs.get(`${peer.token}|${peer.env}`) || []) this.sendNow(peer, frame);
  }

  private trim(peer: Peer, lastSeq: number): void {
    const key = `${peer.token}|${peer.env}`;
    const backlog = this.backlogs.get(key);
    if (backlog) this.backlogs.set(key, backlog.filter((f) => (f.seq as number) > lastSeq));
  }

  private sendNow(peer: Peer, frame: Json): void {
    if (peer.ws.readyState === WebSocket.OPEN) peer.ws.send(JSON.stringify(frame));
  }
}
