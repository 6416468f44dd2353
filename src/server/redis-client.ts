/**
 * What the Redis hub needs of node-redis (an optional peer dependency): the client type it uses,
 * the two connections (commands, subscriptions), and its Lua scripts run by SHA.
 */
import { CONFIRM, FORWARD, JOIN, LEAVE, REPLAY } from './redis-scripts';

/** The few node-redis calls used by the hub. */
export interface RedisClient {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  readonly isReady: boolean;
  duplicate(): RedisClient;
  on(event: 'error', listener: (err: Error) => void): unknown;
  scriptLoad(script: string): Promise<string>;
  evalSha(sha: string, options: { keys?: string[]; arguments: string[] }): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
}

/** A command connection and a subscriber connection to `url`, connected; errors go to `onError`. */
export async function connectRedis(url: string, onError: (err: Error) => void): Promise<{ client: RedisClient; sub: RedisClient }> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createClient } = require('redis') as { createClient(o: { url: string; disableOfflineQueue?: boolean }): RedisClient };
  // Fail fast while Redis is away: the sender gets OFFLINE (no ack) and resends, nothing hangs.
  const client = createClient({ url, disableOfflineQueue: true });
  const sub = client.duplicate();
  for (const c of [client, sub]) c.on('error', onError);
  await Promise.all([client.connect(), sub.connect()]);
  return { client, sub };
}

/** Closes both connections (a client still trying to reach a lost Redis cannot close gracefully). */
export async function closeRedis(clients: RedisClient[]): Promise<void> {
  for (const c of clients) {
    if (c.isReady) await c.close().catch(() => c.destroy());
    else c.destroy();
  }
}

const SCRIPTS = { CONFIRM, FORWARD, JOIN, LEAVE, REPLAY };
export type ScriptName = keyof typeof SCRIPTS;

/**
 * Runs the hub's scripts by SHA, with the key prefix as their first argument. Scripts are loaded
 * once in load(): loading them on first use let a batch waiting for SCRIPT LOAD be overtaken by a
 * later batch that found the SHA cached (frames stamped out of order).
 */
export class ScriptRunner {
  private readonly shas = new Map<ScriptName, string>();
  /** A reload after Redis lost its script cache; calls wait for it. */
  private reloading: Promise<void> | null = null;

  constructor(private readonly client: RedisClient, private readonly prefix: string) {}

  async load(): Promise<void> {
    const names = Object.keys(SCRIPTS) as ScriptName[];
    const shas = await Promise.all(names.map((name) => this.client.scriptLoad(SCRIPTS[name])));
    names.forEach((name, i) => this.shas.set(name, shas[i]));
  }

  async run(name: ScriptName, args: string[]): Promise<unknown> {
    const argv = [this.prefix, ...args];
    if (this.reloading) await this.reloading;
    try {
      return await this.client.evalSha(this.shas.get(name)!, { arguments: argv });
    } catch (err) {
      if (!/NOSCRIPT/.test(String((err as Error).message))) throw err;
      // Redis restarted and lost its script cache: every call waits for one reload.
      if (!this.reloading) this.reloading = this.load().finally(() => (this.reloading = null));
      await this.reloading;
      return this.client.evalSha(this.shas.get(name)!, { arguments: argv });
    }
  }
}
