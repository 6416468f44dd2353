/**
 * The call page navigations of the navigate channel: one `wx.miniProgram.navigateTo` in flight,
 * the others queued, so a second call page is never stacked (the page stack holds 10).
 *
 * A navigateTo that was made and that neither its callback nor the page hiding has shown to have
 * happened may still be held by the JS-SDK (WeixinJSBridge not ready): no other may follow, even
 * if its call timed out, or call pages would stack when the held ones fire together. No navigation
 * starts while the page is hidden: a call page (perhaps of a call given up on) still covers it.
 */
import { MiniProgramApi } from './types';
import { CallStore } from './store';

export interface Navigation {
  /** Queues the navigation of call `req` to `url`. */
  add(req: string, url: string): void;
  /** Call `req` is over (answered, timed out, cancelled): out of the queue; the next may go. */
  done(req: string): void;
  /** Starts the next navigation when none is in flight and the page is shown. */
  pump(): void;
  /** At visibilitychange: hidden means the call page is up, so the navigateTo happened. */
  visibility(): void;
  /** Drops the queue: nothing navigates any more (the bridge is destroyed). */
  stop(): void;
}

/** `fail(req, message)`: navigateTo failed or threw; the call must end (then `done(req)`). */
export function createNavigation(
  win: Window,
  store: CallStore,
  doc: string,
  miniProgram: () => MiniProgramApi | undefined,
  fail: (req: string, message: string) => void,
): Navigation {
  let queue: Array<[string, string]> = [];
  let inFlight: string | null = null;
  let navigating = false;
  const hidden = () => win.document.visibilityState === 'hidden';

  function pump(): void {
    if (inFlight || navigating || hidden()) return;
    // A call sent by an earlier load of the page may still be on its way back: wait for it.
    const now = Date.now();
    const earlier = store.calls().find((c) => c.doc !== doc && c.sent && c.deadline > now);
    if (earlier) {
      inFlight = earlier.req;
      return;
    }
    const next = queue.shift();
    if (!next) return;
    const req = (inFlight = next[0]);
    store.update((calls) => calls.map((c) => (c.req === req ? Object.assign(c, { sent: true }) : c)));
    const failed = (message: string) => {
      navigating = false;
      fail(req, 'navigateTo failed: ' + message);
    };
    navigating = true;
    try {
      miniProgram()!.navigateTo({
        url: next[1],
        success: () => {
          navigating = false;
          pump();
        },
        fail: (err) => failed((err && err.errMsg) || ''),
      });
    } catch (err) {
      failed((err as Error).message);
    }
  }

  return {
    add(req, url) {
      queue.push([req, url]);
      pump();
    },
    done(req) {
      queue = queue.filter((item) => item[0] !== req);
      if (inFlight === req) {
        inFlight = null;
        pump();
      }
    },
    pump,
    visibility() {
      if (hidden()) navigating = false;
      pump();
    },
    stop() {
      queue = [];
    },
  };
}
