/**
 * The life of each accepted socket: opened (a Connection registered, joined to the hub, `hello`
 * sent), closed, and the one periodic sweep over all of them (protocol ping, dead peers, expired
 * tokens). The socket listeners are made once per relay and shared by every socket (each finds its
 * Connection on the socket): an idle connection holds no closure of its own (idle memory matters).
 */
import type { RawData, WebSocket } from 'ws';
import { BATCH_MAX_FRAMES } from '../core/batch';
import { PROTOCOL_VERSION } from '../core/limits';
import type { Admission } from './admission';
import { CLOSE_CODES, Connection } from './connection';
import type { Outlet, Replayer } from './delivery';
import type { Hub } from './hub';
import type { Intake } from './intake';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import type { ConnectionRegistry } from './registry';

const CONNECTION = Symbol('hybrid-kit.connection');
type RelaySocket = WebSocket & { [CONNECTION]?: Connection };

export interface SessionParts {
  options: Pick<RelayOptions, 'rateBurst' | 'resumeWaitMs' | 'maxFrameBytes'>;
  metrics: RelayMetrics;
  registry: ConnectionRegistry;
  outlet: Outlet;
  replayer: Replayer;
  intake: Intake;
  hub: Pick<Hub, 'join' | 'storeId'>;
}

/** ws reports a bad frame with an error (then closes the socket itself): count the reason. */
function countSocketError(metrics: RelayMetrics, err: Error & { code?: string }): void {
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    metrics.rejects.too_large++;
    metrics.close(CLOSE_CODES.tooLarge);
  } else if (err.code?.startsWith('WS_ERR_')) {
    metrics.rejects.bad_frame++;
    metrics.close(err.code === 'WS_ERR_INVALID_UTF8' ? CLOSE_CODES.invalidPayload : CLOSE_CODES.protocolError);
  }
}

export class Sessions {
  private readonly onMessage: (this: RelaySocket, data: RawData, isBinary: boolean) => void;
  private readonly onPong: (this: RelaySocket) => void;
  private readonly onClose: (this: RelaySocket) => void;
  private readonly onError: (this: RelaySocket, err: Error) => void;

  constructor(private readonly parts: SessionParts) {
    const { intake, metrics } = parts;
    const closed = (conn: Connection) => this.closed(conn);
    this.onMessage = function (data, isBinary) {
      intake.onFrame(this[CONNECTION]!, data, isBinary);
    };
    this.onPong = function () {
      this[CONNECTION]!.alive = true;
    };
    this.onClose = function () {
      closed(this[CONNECTION]!);
    };
    this.onError = (err) => countSocketError(metrics, err);
  }

  /** A socket passed the upgrade: its Connection joins the registry and the hub; `hello` follows the join. */
  open(socket: WebSocket, { key, env, expiresAt }: Admission, legacy: boolean): Connection {
    const { options, metrics, registry, outlet, replayer, hub } = this.parts;
    const ws = socket as RelaySocket;
    const conn = new Connection(ws, key, env, expiresAt, options.rateBurst, Date.now());
    conn.legacy = legacy;
    ws[CONNECTION] = conn;
    metrics.connectionsTotal++;
    const old = registry.add(conn);
    ws.on('message', this.onMessage);
    ws.on('pong', this.onPong);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
    conn.resumeTimer = setTimeout(startPlain, options.resumeWaitMs, replayer, conn);
    hub.join(conn, !!old, (peers) => {
      if (conn.state === 'closed') return;
      const batch = { frames: BATCH_MAX_FRAMES, bytes: options.maxFrameBytes };
      outlet.control(conn, { type: 'hello', v: PROTOCOL_VERSION, env, peers, receipts: true, store: hub.storeId, batch });
      replayer.joined(conn);
    });
    return conn;
  }

  /** One interval for every connection: ping the live, end the dead (missed a ping) and the expired. */
  sweep(now: number): void {
    const { registry, outlet, metrics } = this.parts;
    for (const conn of registry.all) {
      if (conn.state === 'closed') continue;
      if (conn.expiresAt && conn.expiresAt <= now) {
        outlet.close(conn, CLOSE_CODES.expired, 'token expired');
      } else if (!conn.alive) {
        metrics.close(1006);
        conn.state = 'closed';
        conn.ws.terminate();
      } else {
        conn.alive = false;
        conn.ws.ping();
      }
    }
  }

  private closed(conn: Connection): void {
    if (conn.resumeTimer) clearTimeout(conn.resumeTimer);
    conn.resumeTimer = null;
    conn.state = 'closed';
    this.parts.registry.remove(conn);
  }
}

/** No `resume` within resumeWaitMs: served live after every frame its env has not confirmed (see MemoryHub.replay). */
function startPlain(replayer: Replayer, conn: Connection): void {
  conn.resumeTimer = null;
  replayer.startLive(conn, null);
}
