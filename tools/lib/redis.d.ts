/** Types for tools/lib/redis.js (used by the tests). */
import type { ChildProcess } from 'child_process';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Kills the server and resolves once it has exited. */
  stop(): Promise<void>;
}
export interface StartRedisOptions {
  /** Sees the process as soon as it is spawned. */
  onSpawn?: (child: ChildProcess) => void;
  /** How long to wait for PONG (default 5000 ms). */
  startTimeoutMs?: number;
}
export function startRedis(options?: StartRedisOptions): Promise<TestRedis>;
export function hasRedisServer(): boolean;
export function freePort(): Promise<number>;
