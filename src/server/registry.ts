/**
 * The connections of this relay instance: the table of the current connection per token+env, every
 * open socket, presence notices to the other envs of a token, and replacement of an older connection
 * of the same token+env. Hubs reach local connections only through this registry.
 */
import type { Connection } from './connection';
import { CLOSE_CODES } from './connection';
import type { HubRegistry } from './hub';
import type { Outlet } from './delivery';
import { EnvTable } from './env-table';

export class ConnectionRegistry implements HubRegistry {
  private readonly table = new EnvTable<Connection>();
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
    const old = this.table.set(conn.key, conn);
    if (old) this.replaced(old);
    return old;
  }

  /** The socket closed. Leaves the table (and announces it) only if it was still the current one. */
  remove(conn: Connection): void {
    this.all.delete(conn);
    if (!this.table.delete(conn.key, conn)) return; // replaced: already accounted for
    this.left(conn, true);
  }

  get(key: string, env: string): Connection | undefined {
    return this.table.get(key, env);
  }

  envs(key: string): string[] {
    return this.table.list(key).map((conn) => conn.env);
  }

  /** Envs of `key` connected here (0 when the key has none). */
  envCount(key: string): number {
    return this.table.list(key).length;
  }

  /** Open sockets. */
  get size(): number {
    return this.all.size;
  }

  /** Tokens with at least two envs connected here. */
  pairs(): number {
    let pairs = 0;
    for (const [, conns] of this.table.entries()) if (conns.length >= 2) pairs++;
    return pairs;
  }

  deliver(key: string, env: string, seq: number, text: string): void {
    const conn = this.get(key, env);
    if (conn) this.outlet.stamped(conn, seq, text); // else the backlog keeps it for the next connection
  }

  presence(key: string, env: string, online: boolean): void {
    for (const conn of this.table.list(key)) if (conn.env !== env) this.outlet.control(conn, { type: 'presence', env, online });
  }

  joined(key: string, env: string, joinNo: number): void {
    const conn = this.get(key, env);
    if (conn && conn.joinNo && conn.joinNo < joinNo) {
      this.table.delete(key, conn);
      this.replaced(conn);
    }
  }

  /** A newer connection took this token+env (the table no longer has `old`): close it, terminally, without a presence flap. */
  private replaced(old: Connection): void {
    this.outlet.close(old, CLOSE_CODES.replaced, 'replaced by a newer connection');
    this.left(old, false);
  }
}
