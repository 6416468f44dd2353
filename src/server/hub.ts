/**
 * The hub stamps, stores and routes frames between the envs of a token. The memory hub keeps
 * everything in this process; the Redis hub shares it between instances. Callback style so the
 * in-memory hot path stays synchronous (no promise per frame).
 *
 * A hub talks to the connections of this instance through the `HubRegistry` it is given (never back
 * into the relay), and is created by a `HubFactory` (options.ts, the type of the relay's `hub`
 * option): adding a hub is one new file exporting a factory, passed as that option.
 */
import { HybridError } from '../core/errors';
import { pairedEnv as rolePair } from '../core/protocol/envs';
import type { Connection } from './connection';

/** A forwarded frame as stored in a backlog: its seq and its final JSON text. */
export type Stamped = [seq: number, text: string];

/** What a hub sees of the connections of this instance (implemented by ConnectionRegistry). */
export interface HubRegistry {
  /** The local connection of key+env. */
  get(key: string, env: string): Connection | undefined;
  /** Envs of `key` connected to this instance. */
  envs(key: string): string[];
  /** A stamped frame for `env` of `key`: hand it to the local connection, if any. */
  deliver(key: string, env: string, seq: number, text: string): void;
  /** An env of `key` came or went: tell the local connections of the other envs. */
  presence(key: string, env: string, online: boolean): void;
  /** Connection number `joinNo` of key+env joined somewhere: close older local ones (Redis mode). */
  joined(key: string, env: string, joinNo: number): void;
}

export interface Hub {
  /** Connects to its storage (if any); the relay calls it once from `listen()`. */
  start(): Promise<void>;
  /**
   * Names the storage that holds accepted frames (sent in `hello` as `store`): a client seeing
   * the same name after a reconnect knows what the relay accepted is still there; another name
   * (a memory relay that restarted, a Redis that lost its data) makes it resend.
   */
  readonly storeId: string;
  /** Registers a connection; `replacedLocal` = it replaced one on this instance (no presence flap). */
  join(conn: Connection, replacedLocal: boolean, done: (peers: string[]) => void): void;
  /** A connection ended; `gone` = no newer connection replaced it (announce it offline). */
  leave(conn: Connection, gone: boolean): void;
  /**
   * Stamps `tail` (frame JSON without its opening brace) with a seq per target env, stores it in
   * the target's backlog and delivers it. Targets: `to`, else every other known env of the key.
   * `id`: the reliable message's id ('' for other frames): its confirmation becomes a `delivered`
   * notice for `from`, its loss an error report (see receipts.ts).
   */
  forward(key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void, id?: string): void;
  /** Frames with seq > `after` (null: after the last one written to a socket of that env); trims the rest (confirmed). */
  replay(key: string, env: string, after: number | null, done: (frames: Stamped[]) => void): void;
  /** The client confirmed everything up to `lastSeq`: trim, and hand the origins to `receipts.delivered`. */
  confirm(key: string, env: string, lastSeq: number): void;
  /** Periodic housekeeping (expired backlogs, liveness in Redis). */
  sweep(now: number): void;
  close(): Promise<void>;
}

/**
 * The env a pair member always talks to, even before that env ever connected (src/core/protocol/envs.ts,
 * a null-prototype map: an env named `constructor` or `__proto__` finds nothing).
 */
export function pairedEnv(env: string): string | undefined {
  return rolePair(env);
}

export function stampFrame(seq: number, tail: string): string {
  return '{"seq":' + seq + ',' + tail;
}

/**
 * First seq of a fresh token+env record: the clock in µs (ms × 1000), so seq keeps increasing
 * across restarts and record expiry (a client keeps its highest seq and ignores anything at or
 * below it) unless one env received more than 1,000 frames per ms on average since its record was
 * made. The clock in ms was overtaken by any burst above 1,000 frames/s, and after a restart new
 * frames were dropped as replays. Stays below 2^53 until the year 2255.
 */
export function seqBase(now: number): number {
  return now * SEQ_PER_MS;
}
export const SEQ_PER_MS = 1000;

/** A token may not spread over more envs than this (each env holds a backlog). */
export function tooManyEnvs(max: number): HybridError {
  return new HybridError('QUEUE_FULL', `this token already has ${max} envs; no more can be added`);
}
