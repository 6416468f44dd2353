/** Waiting in tests: the one poller and the one sleep every helper and test uses. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `interval` ms until it returns something other than undefined, null or
 * false, and resolves with that value (nothing for a yes/no check); rejects after `timeout` ms
 * naming `what` it waited for.
 */
export function waitFor(check: () => boolean, timeout?: number, what?: string, interval?: number): Promise<void>;
export function waitFor<T>(check: () => T | undefined | null | false, timeout?: number, what?: string, interval?: number): Promise<T>;
export async function waitFor<T>(check: () => T | undefined | null | false, timeout = 3000, what = 'condition', interval = 5): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${timeout} ms)`);
    await sleep(interval);
  }
}
