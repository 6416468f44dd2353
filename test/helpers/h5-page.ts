/** Reading an H5 test page from the test: polling it, and settling a bridge call made in it. */
import type { Page as BrowserPage } from 'playwright-core';
import { sleep } from './wait';

/** Polls a function in the page until it returns something other than undefined. */
export async function pollPage<T>(page: BrowserPage, fn: () => T | undefined, timeout = 4000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn).catch(() => undefined);
    if (value !== undefined) return value as T;
    if (Date.now() > end) throw new Error('timed out polling the page');
    await sleep(10);
  }
}

export interface Settled {
  ok: boolean;
  data?: any;
  code?: string;
  message?: string;
  name?: string;
}

/** `window.__bridge.call(...)` in the page, settled into { ok, data } or { ok: false, code, message }. */
export function settleCall(page: BrowserPage, api: string, params?: unknown, options?: unknown): Promise<Settled> {
  return page.evaluate(([a, p, o]) => {
    const w = window as any;
    return w.__bridge.call(a, p, o).then(
      (data: unknown) => ({ ok: true, data }),
      (e: any) => ({ ok: false, code: e.code, message: e.message, name: e.name }),
    );
  }, [api, params, options] as const);
}
