/**
 * bridge-webview: wraps <web-view>. Builds `src` once (query + cache-busting `_t` before '#'),
 * writes replies and pushes for the H5 page into the hash (fresh nonce each write, only while
 * its page is shown), flattens `bindmessage` batches into one `message` event per item and runs
 * posted commands through the handler registry.
 */
import { ReplyPayload, errorReply, splitHash } from '../../core/hash';
import { LIMITS } from '../../core/limits';
import { HandlerRegistry, defaultRegistry, readPostedItem } from '../../core/registry';
import { MailItem, attachSink, makePush, returnUndelivered } from '../../services/reply-mailbox';
import { HashQueue } from './hash-queue';
import { QueryValue, buildWebviewUrl } from './url';

interface Runtime {
  outbox: HashQueue;
  detach?: () => void;
  page: unknown;
  visible: boolean;
  timer?: ReturnType<typeof setTimeout>;
  lastWrite: number;
  /** Ids of posted items already handled (a batch may be delivered again on share, then back). */
  seen: string[];
  /** Answers posted commands; set by useRegistry. */
  registry?: HandlerRegistry<any>;
}

const runtimes = new WeakMap<object, Runtime>();
const SEEN_LIMIT = 500;
let nonceCounter = 0;

function nextNonce(): string {
  nonceCounter = (nonceCounter + 1) % 0x100000;
  return Date.now().toString(36) + nonceCounter.toString(36);
}

function remember(rt: Runtime, id: string): boolean {
  if (rt.seen.indexOf(id) >= 0) return false;
  rt.seen.push(id);
  if (rt.seen.length > SEEN_LIMIT) rt.seen.splice(0, rt.seen.length - SEEN_LIMIT);
  return true;
}

function topPage(): unknown {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
  return pages.length ? pages[pages.length - 1] : undefined;
}

Component({
  externalClasses: ['custom-class'],
  options: { pureDataPattern: /^_/ },
  properties: {
    /** The H5 page. Its query and '#fragment' are kept. */
    src: { type: String, value: '' },
    /** Extra query parameters (token…), merged before '#'. */
    query: { type: Object, value: {} },
    /** Adds `_t=<time>` before '#', set once per `src`. */
    cacheBust: { type: Boolean, value: true },
    /** The web-view's id (for wx.createWebViewContext) and the mailbox address. */
    webviewId: { type: String, value: 'hk-webview' },
    /** Least ms between two hash writes (setData budget; lets the page read each hash). */
    minInterval: { type: Number, value: 50 },
    maxHashLength: { type: Number, value: LIMITS.maxHashLength },
  },
  data: {
    url: '',
    /** The URL without our hash: never changes for a given src/query. */
    _base: '',
    /** The page's own '#fragment' from `src`, kept in front of our entries. */
    _fragment: '',
    _t: '',
    _tSrc: '',
  },
  observers: {
    'src, query, cacheBust': function (src: string, query: Record<string, QueryValue>, cacheBust: boolean) {
      this.rebuildUrl(src, query, cacheBust, false);
    },
  },
  lifetimes: {
    attached() {
      const rt: Runtime = { outbox: new HashQueue(), page: topPage(), visible: true, lastWrite: 0, seen: [] };
      runtimes.set(this, rt);
      const self = this;
      rt.detach = attachSink({
        get webviewId() {
          return self.data.webviewId; // follows later changes of the property
        },
        get page() {
          return rt.page;
        },
        receive: (items: MailItem[]) => this.enqueue(items),
      });
    },
    detached() {
      const rt = runtimes.get(this);
      if (!rt) return;
      runtimes.delete(this);
      if (rt.timer !== undefined) clearTimeout(rt.timer);
      if (rt.detach) rt.detach();
      // Accepted but not yet written: back to the mailbox for the next bridge.
      const left = rt.outbox.drain();
      // Only for a bridge of the same web-view id or page: never another page's H5.
      if (left.length) returnUndelivered(left, { webviewId: this.data.webviewId, page: rt.page });
    },
  },
  pageLifetimes: {
    show() {
      const rt = runtimes.get(this);
      if (!rt) return;
      rt.visible = true;
      // A shown page is the top of the stack: the surest moment to learn which page we are on
      // (base libraries differ on whether the page is already on the stack at `attached`).
      rt.page = topPage() || rt.page;
      this.scheduleFlush();
    },
    hide() {
      const rt = runtimes.get(this);
      if (rt) rt.visible = false;
    },
  },
  methods: {
    rebuildUrl(src: string, query: Record<string, QueryValue>, cacheBust: boolean, freshT: boolean) {
      if (!src) {
        if (this.data.url) this.setData({ url: '', _base: '', _fragment: '' });
        return;
      }
      const t = cacheBust ? (!freshT && this.data._tSrc === src && this.data._t ? this.data._t : String(Date.now())) : '';
      const full = buildWebviewUrl(src, query || {}, cacheBust ? t : undefined);
      const { base, hash } = splitHash(full);
      const patch: Record<string, string> = {};
      if (base !== this.data._base) patch._base = base;
      if (hash !== this.data._fragment) patch._fragment = hash;
      if (t !== this.data._t) patch._t = t;
      if (src !== this.data._tSrc) patch._tSrc = src;
      // A new base (or an explicit reload) loads the page afresh, without our hash.
      if (freshT || patch._base !== undefined || patch._fragment !== undefined) patch.url = full;
      if (Object.keys(patch).length) this.setData(patch);
    },

    enqueue(items: MailItem[]) {
      const rt = runtimes.get(this);
      if (!rt) {
        returnUndelivered(items, { webviewId: this.data.webviewId, page: topPage() });
        return;
      }
      for (const { item, error } of rt.outbox.add(items)) {
        const detail = { code: error.code, message: error.message };
        if (item.kind === 'push') this.triggerEvent('pusherror', { id: item.push.id, event: item.push.event, ...detail });
        else this.triggerEvent('replyerror', { req: item.req, ...detail });
      }
      this.scheduleFlush();
    },

    scheduleFlush() {
      const rt = runtimes.get(this);
      if (!rt || rt.timer !== undefined || !rt.visible || !rt.outbox.length) return;
      const wait = Math.max(0, rt.lastWrite + this.data.minInterval - Date.now());
      rt.timer = setTimeout(() => {
        rt.timer = undefined;
        this.flush();
      }, wait);
    },

    /** Writes the next hash now (when shown and a `src` is set). */
    flush() {
      const rt = runtimes.get(this);
      if (!rt || !rt.visible || !rt.outbox.length || !this.data._base) return;
      const { hash, dropped } = rt.outbox.nextHash(nextNonce(), this.data._fragment, this.data.maxHashLength);
      for (const push of dropped) {
        this.triggerEvent('pusherror', { id: push.id, event: push.event, code: 'PAYLOAD_TOO_LARGE' });
      }
      if (hash) {
        rt.lastWrite = Date.now();
        this.setData({ url: this.data._base + '#' + hash });
      }
      this.scheduleFlush();
    },

    /** Sends an event to the H5 page (`bridge.on(event)`). Returns the push id. */
    push(event: string, data?: unknown): string {
      const push = makePush(event, data);
      this.enqueue([{ kind: 'push', push }]);
      return push.id;
    },

    /** Posted commands are answered from `registry` (a typed HandlerRegistry) instead of the default one. */
    useRegistry(registry: HandlerRegistry<any>): void {
      const rt = runtimes.get(this);
      if (rt) rt.registry = registry;
    },

    /** Answers request `req` of the H5 page directly (without the call page). */
    reply(req: string, payload: ReplyPayload) {
      this.enqueue([{ kind: 'reply', req, payload }]);
    },

    /** Reloads the H5 page: a new `_t`, the hash cleared. */
    reload() {
      this.rebuildUrl(this.data.src, this.data.query, this.data.cacheBust, true);
    },

    getUrl(): string {
      return this.data.url;
    },

    handleMessage(e: WechatMiniprogram.CustomEvent<{ data?: unknown }>) {
      const rt = runtimes.get(this);
      const raw = e.detail ? e.detail.data : undefined;
      const batch = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      batch.forEach((item, index) => {
        const posted = readPostedItem(item);
        if (posted.kind === 'data') {
          if (posted.id !== undefined && rt && !remember(rt, posted.id)) return;
          this.triggerEvent('message', { data: posted.data, id: posted.id, index, total: batch.length });
        } else if (posted.kind === 'command') {
          if (rt && !remember(rt, 'cmd:' + posted.req)) return;
          const { req, api } = posted;
          (runtimes.get(this)?.registry || defaultRegistry).invoke(api, posted.params, { req, source: 'message' }).reply.then((reply) => {
            this.triggerEvent('command', { req, api, reply });
          });
        } else {
          this.triggerEvent('command', { req: '', api: '', reply: errorReply(posted.error), index });
        }
      });
    },

    handleLoad(e: WechatMiniprogram.CustomEvent<Record<string, unknown>>) {
      this.triggerEvent('load', e.detail);
    },

    handleError(e: WechatMiniprogram.CustomEvent<Record<string, unknown>>) {
      this.triggerEvent('error', e.detail);
    },
  },
});
