/**
 * The connections of this relay instance: the table of the current connection per token+env, every
 * open socket, presence notices to the other envs of a token, and replacement of an older connection
 * of the same token+env. Hubs reach local connections only through this registry.
 */
import type { Connection } from './connection';
import { CLOSE_CODES } from './connection';
import type { HubRegistry } from './hub';
import type { Outlet } from './delivery';

export class ConnectionRegistry implements HubRegistry {
  private readonly byKey = new Map<string, Map<string, Connection>>();
  /** Every open socket, replaced ones included until they are gone. */
  readonly all = new Set<Connection>();

  /**
   * @param outlet writes frames to sockets
   * @param left called when a connection leaves the table: `gone` = no newer one replaced it
   */
  constructor(private readonly outlet: Outlet, private readonly left: (conn: Connection, gone: boolean) => void) {}

  /** Adds a new connection as the current one of its token+env; returns the one it replaced, if any. */
  add(conn: Connection): Connection | undefined {
    this.all.add(conn);
    let envs = this.byKey.get(conn.key);
    if (!envs) this.byKey.set(conn.key, (envs = new Map()));
    const old = envs.get(conn.env);
    envs.set(conn.env, conn);
    if (old) this.replace(old);
    return old;
  }

  /** The socket closed. Leaves the table (and announces it) only if it was still the current one. */
  remove(conn: Connection): void {
    this.all.delete(conn);
    const envs = this.byKey.get(conn.key);
    if (envs?.get(conn.env) !== conn) return; // replaced: already accounted for
    envs.delete(conn.env);
    if (!envs.size) this.byKey.delete(conn.key);
    this.left(conn, true);
  }

  get(key: string, env: string): Connection | undefined {
    return this.byKey.get(key)?.get(env);
  }

  envs(key: string): string[] {
    const envs = this.byKey.get(key);
    return envs ? [...envs.keys()] : [];
  }

  /** Envs of `key` connected here (0 when the key has none). */
  envCount(key: string): number {
    return this.byKey.get(key)?.size || 0;
  }

  /** Open sockets. */
  get size(): number {
    return this.all.size;
  }

  /** Tokens with at least two envs connected here. */
  pairs(): number {
    let pairs = 0;
    for (const envs of this.byKey.values()) if (envs.size >= 2) pairs++;
    return pairs;
  }

  deliver(key: string, env: string, seq: number, text: string): void {
    const conn = this.get(key, env);
    if (conn) this.outlet.stamped(conn, seq, text); // else the backlog keeps it for the next connection
  }

  presence(key: string, env: string, online: boolean): void {
    const envs = this.byKey.get(key);
    if (!envs) return;
    for (const [peerEnv, conn] of envs) if (peerEnv !== env) this.outlet.control(conn, { type: 'presence', env, online });
  }

  joined(key: string, env: string, joinNo: number): void {
    const conn = this.get(key, env);
    if (conn && conn.joinNo && conn.joinNo < joinNo) this.replace(conn);
  }

  /** A newer connection took this token+env: close the old one, terminally, without a presence flap. */
  private replace(old: Connection): void {
    const envs = this.byKey.get(old.key);
    if (envs?.get(old.env) === old) {
      envs.delete(old.env);
      if (!envs.size) this.byKey.delete(old.key);
    }
    this.outlet.close(old, CLOSE_CODES.replaced, 'replaced by a newer connection');
    this.left(old, false);
  }
}
