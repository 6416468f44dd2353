/**
 * hybrid-call: the behavior of the call page the H5 SDK opens with
 * `wx.miniProgram.navigateTo({ url: '<call page>?cmd=…' })`. It decodes `cmd` defensively,
 * runs the registered handler (with a timeout), hands the reply to the opener's bridge-webview
 * and navigates back. Every path answers: a broken cmd (BAD_REQUEST, when its `req` can be
 * recovered), an unknown api (METHOD_NOT_FOUND), a throw (HANDLER_ERROR), a slow handler
 * (TIMEOUT), the user leaving first (CANCELLED). A `cmd` without `v` comes from a page of the
 * original helper and is answered in its shape (a bare value, see core/legacy-reply).
 *
 * Use it in a page built with Component() (the shipped page pages/hybrid-call does):
 *   Component({ behaviors: [hybridCall] })
 * A page that defines its own onLoad calls `this.startCall(options)` from it.
 */
import type { BehaviorHost } from '../adapters/behavior-host';
import { decodeCmd } from '../core/navigate';
import { errorReply } from '../core/hash';
import { cmdMentionsVersion } from '../core/legacy-reply';
import { HandlerRegistry, PendingInvocation, defaultRegistry } from '../core/registry';
import { DeliveryTarget, deliverReply } from '../services/reply-mailbox';

interface CallRun {
  invocation?: PendingInvocation;
  target: DeliveryTarget;
  /** The page was unloaded (the user went back): no navigateBack then. */
  left: boolean;
}

const runs = new WeakMap<object, CallRun>();

/** The page below this one on the stack: the web-view page that opened us. */
function openerOf(self: object): unknown {
  const pages: unknown[] = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
  const i = pages.indexOf(self);
  if (i > 0) return pages[i - 1];
  // Not on the stack yet (base libraries differ on when a page joins it): the top is the opener.
  return i < 0 && pages.length ? pages[pages.length - 1] : undefined;
}

function goBack(self: object, run: CallRun): void {
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

/**
 * The call page behavior answering from `registry` (a typed `new HandlerRegistry<Apis>()`, say):
 *   Component({ behaviors: [callBehavior(registry)] })
 */
export function callBehavior<M extends object>(registry: HandlerRegistry<M>) {
  return Behavior({
    data: {
      /** 'running' | 'done' — for the page's loading UI. */
      callState: 'idle',
      callApi: '',
    },
    lifetimes: {
      detached() {
        this.cancelCall('the user left the call page before the handler finished');
      },
    },
    methods: {
      onLoad(options: Record<string, string | undefined>) {
        this.startCall(options);
      },
      onUnload() {
        this.cancelCall('the user left the call page before the handler finished');
      },

      /** Handles one `cmd` (page options). Safe to call once per page. */
      startCall(options: Record<string, string | undefined> | undefined) {
        if (runs.has(this)) return;
        const run: CallRun = { target: { page: openerOf(this) }, left: false };
        runs.set(this, run);
        const raw = options ? options.cmd : undefined;
        const decoded = decodeCmd(raw);
        if (!decoded.ok) {
          // Without a req nobody can be answered; the caller's own timeout tells it.
          if (decoded.req) deliverReply(decoded.req, errorReply(decoded.error), run.target, !cmdMentionsVersion(raw));
          this.setData({ callState: 'done' });
          goBack(this, run);
          return;
        }
        const { req, api, params, v } = decoded.cmd;
        this.setData({ callState: 'running', callApi: api });
        run.invocation = registry.invoke(api, params, { req, source: 'navigate' });
        run.invocation.reply.then((reply) => {
          deliverReply(req, reply, run.target, v === undefined);
          if (run.left) return;
          this.setData({ callState: 'done' });
          goBack(this, run);
        });
      },

      /** @deprecated renamed to `startCall`. */
      startRelay(options: Record<string, string | undefined> | undefined) {
        this.startCall(options);
      },

      /** The user left: answer CANCELLED now (the handler's late result is ignored). */
      cancelCall(reason: string) {
        const run = runs.get(this);
        if (!run || run.left) return;
        run.left = true;
        if (run.invocation) run.invocation.cancel(reason);
      },
    },
  });
}

/** The call page behavior answering from the default registry (what `register` fills). */
export const hybridCall = callBehavior(defaultRegistry);

/** @deprecated renamed to `hybridCall` ("relay" now names only the relay server). */
export const hybridRelay = hybridCall;

/** `this` of a call page built with hybridCall. */
export type HybridCallHost = BehaviorHost<typeof hybridCall>;
