/**
 * The HTTP upgrade: path, shutdown, admission (token, env, origin) and the env limit of a token are
 * all checked before the WebSocket opens; a refusal is a plain HTTP error with a `{ code, message }`
 * body. Nothing made here outlives the upgrade: the request, its URL and the head buffer are
 * dropped once the socket opens (a listener closing over them kept ~1 KB per idle connection).
 */
import type * as http from 'http';
import type { Duplex } from 'stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { admit, Admission, refuseUpgrade, UpgradeRefusal } from './admission';
import { isLegacyUrl } from './legacy-clients';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import type { ConnectionRegistry } from './registry';

export interface UpgradeParts {
  options: RelayOptions;
  /** Attached to a user's server: other upgrade handlers may take other paths. */
  attached: boolean;
  metrics: RelayMetrics;
  registry: Pick<ConnectionRegistry, 'envCount' | 'get'>;
  wss: WebSocketServer;
  closing(): boolean;
  open(ws: WebSocket, admission: Admission, legacy: boolean): void;
}

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

const shuttingDown = () => new UpgradeRefusal(503, 'OFFLINE', 'server is shutting down', 'shutting_down');

/** Shared by every upgrading socket (a closure per socket would keep its request alive). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

export function createUpgradeHandler(parts: UpgradeParts): UpgradeHandler {
  const { options, metrics } = parts;

  function refuse(socket: Duplex, err: UpgradeRefusal): void {
    metrics.rejects[err.reason]++;
    refuseUpgrade(socket, err.status, err.code, err.message);
  }

  /** The token's env limit; an env that is connected already may replace its connection. */
  function overEnvLimit(admission: Admission): UpgradeRefusal | null {
    const { registry } = parts;
    const max = options.maxEnvsPerToken;
    if (registry.envCount(admission.key) < max || registry.get(admission.key, admission.env)) return null;
    return new UpgradeRefusal(403, 'QUEUE_FULL', `this token already has ${max} envs connected`, 'forbidden');
  }

  function admitted(req: http.IncomingMessage, socket: Duplex, head: Buffer, admission: Admission, legacy: boolean): void {
    if (socket.destroyed) return;
    const refusal = parts.closing() ? shuttingDown() : overEnvLimit(admission);
    if (refusal) return refuse(socket, refusal);
    parts.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', destroySocket); // ws has its own from now on
      parts.open(ws, admission, legacy);
    });
  }

  return function onUpgrade(req, socket, head) {
    const url = new URL(req.url || '/', 'http://relay');
    if (url.pathname !== options.path) {
      if (!parts.attached) refuseUpgrade(socket, 400, 'BAD_REQUEST', `WebSocket path is ${options.path}`);
      return; // attached: another upgrade handler of the user's server may want it
    }
    socket.on('error', destroySocket);
    if (parts.closing()) return refuse(socket, shuttingDown());
    const legacy = isLegacyUrl(url);
    admit(req, url, options).then(
      (admission) => admitted(req, socket, head, admission, legacy),
      (err) => refuse(socket, err instanceof UpgradeRefusal ? err : new UpgradeRefusal(401, 'UNAUTHORIZED', String(err), 'unauthorized')),
    );
  };
}
