/**
 * hybrid-relay: the behavior of the relay page the H5 SDK opens with
 * `wx.miniProgram.navigateTo({ url: '<relay page>?cmd=…' })`. It decodes `cmd` defensively,
 * runs the registered handler (with a timeout), hands the reply to the opener's bridge-webview
 * and navigates back. Every path answers: a broken cmd (BAD_REQUEST, when its `req` can be
 * recovered), an unknown api (METHOD_NOT_FOUND), a throw (HANDLER_ERROR), a slow handler
 * (TIMEOUT), the user leaving first (CANCELLED). A `cmd` without `v` comes from a page of the
 * original helper and is answered in its shape (a bare value, see core/legacy-reply).
 *
 * Use it in a page built with Component() (the shipped page pages/hybrid-relay does):
 *   Component({ behaviors: [hybridRelay] })
 * A page that defines its own onLoad calls `this.startRelay(options)` from it.
 */
import { decodeCmd } from '../core/navigate';
import { errorReply } from '../core/hash';
import { cmdMentionsVersion } from '../core/legacy-reply';
import { PendingInvocation, defaultRegistry } from '../core/registry';
import { DeliveryTarget, deliverReply } from './relay-mailbox';

interface RelayRun {
  invocation?: PendingInvocation;
  target: DeliveryTarget;
  /** The page was unloaded (the user went back): no navigateBack then. */
  left: boolean;
}

const runs = new WeakMap<object, RelayRun>();

/** The page below this one on the stack: the web-view page that opened us. */
function openerOf(self: object): unknown {
  const pages: unknown[] = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
  const i = pages.indexOf(self);
  if (i > 0) return pages[i - 1];
  // Not on the stack yet (base libraries differ on when a page joins it): the top is the opener.
  return i < 0 && pages.length ? pages[pages.length - 1] : undefined;
}

function goBack(self: object, run: RelayRun): void {
  if (run.left) return;
  const pages: unknown[] = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
  // Never pop a page that is not ours (the user may have navigated on meanwhile).
  if (pages.length && pages[pages.length - 1] !== self && pages.indexOf(self) >= 0) return;
  wx.navigateBack({
    delta: 1,
    // Rarely refused during the page's own enter animation: try once more.
    fail: () => setTimeout(() => !run.left && wx.navigateBack({ delta: 1 }), 300),
  });
}

export const hybridRelay = Behavior({
  data: {
    /** 'running' | 'done' — for the page's loading UI. */
    relayState: 'idle',
    relayApi: '',
  },
  lifetimes: {
    detached() {
      this.cancelRelay('the user left the relay page before the handler finished');
    },
  },
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      this.startRelay(options);
    },
    onUnload() {
      this.cancelRelay('the user left the relay page before the handler finished');
    },

    /** Handles one `cmd` (page options). Safe to call once per page. */
    startRelay(options: Record<string, string | undefined> | undefined) {
      if (runs.has(this)) return;
      const run: RelayRun = { target: { page: openerOf(this) }, left: false };
      runs.set(this, run);
      const raw = options ? options.cmd : undefined;
      const decoded = decodeCmd(raw);
      if (!decoded.ok) {
        // Without a req nobody can be answered; the caller's own timeout tells it.
        if (decoded.req) deliverReply(decoded.req, errorReply(decoded.error), run.target, !cmdMentionsVersion(raw));
        this.setData({ relayState: 'done' });
        goBack(this, run);
        return;
      }
      const { req, api, params, v } = decoded.cmd;
      this.setData({ relayState: 'running', relayApi: api });
      run.invocation = defaultRegistry.invoke(api, params, { req, source: 'navigate' });
      run.invocation.reply.then((reply) => {
        deliverReply(req, reply, run.target, v === undefined);
        if (run.left) return;
        this.setData({ relayState: 'done' });
        goBack(this, run);
      });
    },

    /** The user left: answer CANCELLED now (the handler's late result is ignored). */
    cancelRelay(reason: string) {
      const run = runs.get(this);
      if (!run || run.left) return;
      run.left = true;
      if (run.invocation) run.invocation.cancel(reason);
    },
  },
});
