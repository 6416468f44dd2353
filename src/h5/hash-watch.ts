/**
 * Watches the URL for what the mini program writes into the hash: read on `hashchange`,
 * `pageshow`, `popstate` and `visibilitychange` (and by `check()`), then removed from the address
 * bar (history.replaceState) so replies do not leak into shares, copies or a reload.
 */
import { HashContent, readHash } from './hash-reader';

export interface HashWatch {
  /** Reads the current URL now. */
  check(): void;
  /** Removes the listeners; `check()` does nothing any more. */
  stop(): void;
}

/** `take(content)` handles the replies and pushes and returns the URL without them. */
export function watchHash(win: Window, take: (content: HashContent) => string, onVisibility: () => void): HashWatch {
  let stopped = false;

  /** Reads `url`, then the current URL, each once; strips ours from the current one. */
  function scan(url: string): void {
    if (stopped) return;
    const current = win.location.href;
    // A hashchange's newURL may already be gone from the address bar: read both, each once.
    if (url !== current) take(readHash(url));
    const clean = take(readHash(current));
    if (clean !== current) {
      try {
        win.history.replaceState(win.history.state, '', clean);
      } catch {
        // sandboxed documents may refuse; the reply was still read
      }
    }
  }

  const check = () => scan(win.location.href);
  const listeners: Array<[EventTarget, string, (e: Event) => void]> = [
    [win, 'hashchange', (e) => scan((e as HashChangeEvent).newURL || win.location.href)],
    [win, 'pageshow', check],
    [win, 'popstate', check],
    [win.document, 'visibilitychange', () => {
      check();
      onVisibility();
    }],
  ];
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn);
  return {
    check,
    stop() {
      stopped = true;
      for (const [target, type, fn] of listeners) target.removeEventListener(type, fn);
    },
  };
}
