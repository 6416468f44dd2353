import { mpModule } from '../helpers/mp-dist';
import { pageStack } from '../helpers/mp-globals';
import { renderBridge, WeChatHarness } from '../helpers/wechat-harness';
import { sleep, waitFor } from '../helpers/wait';

const hash = mpModule('core/hash');
const mailbox = mpModule('services/reply-mailbox');
const registry = mpModule('core/registry');

function entriesOf(url: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { entries } = hash.decodeHash(hash.splitHash(url).hash);
  for (const e of entries) out[e.key] = e.value;
  return out;
}
const nonceOf = (url: string) => hash.decodeHash(hash.splitHash(url).hash).nonce;
const baseOf = (url: string) => hash.splitHash(url).base;

let h: WeChatHarness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

describe('bridge-webview src', () => {
  test.each([
    ['https://h5.test/app', 'https://h5.test/app?token=t%201&_t='],
    ['https://h5.test/app?a=1', 'https://h5.test/app?a=1&token=t%201&_t='],
    ['https://h5.test/app?token=old&a=1#/route?x=1', 'https://h5.test/app?a=1&token=t%201&_t='],
    ['https://h5.test/app#/home', 'https://h5.test/app?token=t%201&_t='],
  ])('merges query and _t before the # of %s', (src, prefix) => {
    h = new WeChatHarness({ src, query: { token: 't 1', skip: null } });
    const url = h.src;
    expect(url.startsWith(prefix)).toBe(true);
    const fragment = src.indexOf('#') >= 0 ? src.slice(src.indexOf('#')) : '';
    expect(url.endsWith(/_t=\d+/.exec(url)![0] + fragment)).toBe(true);
  });

  test('_t is set once per src: query changes and re-set src keep it; reload makes a new one', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app', query: { token: 'a' } });
    const t1 = /_t=(\d+)/.exec(h.src)![1];
    await sleep(3);
    h.bridge.setData({ query: { token: 'b' } });
    expect(h.src).toContain('token=b');
    expect(/_t=(\d+)/.exec(h.src)![1]).toBe(t1);
    h.bridge.setData({ src: 'https://h5.test/app' });
    expect(/_t=(\d+)/.exec(h.src)![1]).toBe(t1);
    h.bridgeMethods.reload();
    expect(/_t=(\d+)/.exec(h.src)![1]).not.toBe(t1);
    h.bridge.setData({ cacheBust: false });
    expect(h.src).toBe('https://h5.test/app?token=b');
  });
});

describe('bridge-webview replies and pushes', () => {
  test('a reply lands in the hash with a fresh nonce; equal replies still change the URL', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app#/home' });
    const base = baseOf(h.src);
    mailbox.deliverReply('r1', hash.okReply({ n: 1 }), { page: h.openerPage });
    await waitFor(() => h!.srcHistory.length === 2, 1000, 'first write');
    mailbox.deliverReply('r1', hash.okReply({ n: 1 }), { page: h.openerPage });
    await waitFor(() => h!.srcHistory.length === 3, 1000, 'second write');
    const [, first, second] = h.srcHistory;
    expect(baseOf(first)).toBe(base);
    expect(baseOf(second)).toBe(base);
    expect(entriesOf(first).r1).toEqual({ ok: true, data: { n: 1 } });
    expect(first).not.toBe(second);
    expect(nonceOf(first)).not.toBe(nonceOf(second));
    // The page's own fragment stays in front.
    expect(hash.splitHash(first).hash.startsWith('/home&')).toBe(true);
  });

  test('replies made while the page is hidden wait, then go out merged in one write on show', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app' });
    h.bridge.triggerPageLifeTime('hide');
    for (let i = 0; i < 5; i++) mailbox.deliverReply('q' + i, hash.okReply(i), { page: h.openerPage });
    await sleep(30);
    expect(h.srcHistory).toHaveLength(1);
    h.bridge.triggerPageLifeTime('show');
    await waitFor(() => h!.srcHistory.length === 2, 1000, 'write on show');
    await sleep(30);
    expect(h.srcHistory).toHaveLength(2);
    const got = entriesOf(h.srcHistory[1]);
    expect(Object.keys(got).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(got.q3).toEqual({ ok: true, data: 3 });
  });

  test('push(event, data) reaches the hash under the push key; bad pushes are refused', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app' });
    const id = h.bridgeMethods.push('cart', { count: 2, note: '购物车 🛒 50% & more #1 a+b' });
    await waitFor(() => h!.srcHistory.length === 2, 1000, 'push write');
    const pushes = entriesOf(h.srcHistory[1])[hash.PUSH_KEY] as Array<{ id: string; event: string; data: unknown }>;
    expect(pushes).toEqual([{ id, event: 'cart', data: { count: 2, note: '购物车 🛒 50% & more #1 a+b' } }]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => h!.bridgeMethods.push('x', cyclic)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => h!.bridgeMethods.push('', 1)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  test('a reply too large for any hash is answered PAYLOAD_TOO_LARGE; many large ones are split across writes', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app' });
    h.bridge.setData({ maxHashLength: 1000 });
    h.bridge.triggerPageLifeTime('hide');
    mailbox.deliverReply('huge', hash.okReply('x'.repeat(5000)), { page: h.openerPage });
    for (let i = 0; i < 6; i++) mailbox.deliverReply('mid' + i, hash.okReply('y'.repeat(300)), { page: h.openerPage });
    h.bridge.triggerPageLifeTime('show');
    await waitFor(() => h!.srcHistory.length >= 4, 2000, 'split writes');
    await sleep(30);
    const seen: Record<string, any> = {};
    for (const url of h.srcHistory.slice(1)) {
      expect(hash.splitHash(url).hash.length).toBeLessThanOrEqual(1000);
      Object.assign(seen, entriesOf(url));
    }
    expect(seen.huge).toEqual({ ok: false, error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) });
    for (let i = 0; i < 6; i++) expect(seen['mid' + i]).toEqual({ ok: true, data: 'y'.repeat(300) });
  });

  test('replies go to the bridge of the target page, or of the target webviewId', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/a' });
    const stack = pageStack();
    const pageB = { route: 'pages/b/index' };
    stack.push(pageB);
    h.bridge.triggerPageLifeTime('hide');
    const b = renderBridge({ src: 'https://h5.test/b', webviewId: 'wv-b' });
    b.attach(document.createElement('parent-wrapper'));
    const urlB = () => (b.instance as any).data.url as string;
    mailbox.deliverReply('to-b', hash.okReply('B'), { page: pageB });
    mailbox.deliverReply('by-id', hash.okReply('id'), { webviewId: 'wv-b' });
    mailbox.deliverReply('to-a', hash.okReply('A'), { page: h.openerPage });
    await waitFor(() => entriesOf(urlB())['by-id'], 1000, 'replies on B');
    expect(entriesOf(urlB())).toEqual({ 'to-b': { ok: true, data: 'B' }, 'by-id': { ok: true, data: 'id' } });
    expect(h.srcHistory).toHaveLength(1); // A is hidden under B: its reply waits
    b.detach();
    stack.pop();
    h.bridge.triggerPageLifeTime('show');
    await waitFor(() => h!.srcHistory.length === 2, 1000, 'reply on A');
    expect(entriesOf(h.srcHistory[1])).toEqual({ 'to-a': { ok: true, data: 'A' } });
  });

  test('items accepted by a bridge that goes away wait for the same web-view, never one of another page', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/one' });
    const pageOne = h.openerPage;
    h.bridge.triggerPageLifeTime('hide');
    mailbox.deliverReply('kept', hash.okReply('still here'), { page: pageOne });
    h.close();
    expect(mailbox.mailboxStats().unclaimed).toBe(1);
    // Another page's web-view (another H5, maybe another origin) gets nothing of it.
    h = new WeChatHarness({ src: 'https://other.test/two', webviewId: 'wv-other' });
    // A reply the call page makes now for page one, whose bridge is gone: not for this page either.
    mailbox.deliverReply('late', hash.okReply('for page one'), { page: pageOne });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.srcHistory).toHaveLength(1);
    expect(mailbox.mailboxStats().unclaimed).toBe(2);
    h.close();
    // The same web-view again (re-rendered on its page) takes it.
    const stack = pageStack();
    stack.push(pageOne);
    const again = renderBridge({ src: 'https://h5.test/one', webviewId: 'hk-webview' });
    again.attach(document.createElement('parent-wrapper'));
    const url = () => (again.instance as any).data.url as string;
    await waitFor(() => !!entriesOf(url()).late, 1000, 'handover on the same page');
    expect(entriesOf(url())).toEqual({ kept: { ok: true, data: 'still here' }, late: { ok: true, data: 'for page one' } });
    expect(mailbox.mailboxStats().unclaimed).toBe(0);
    again.detach();
    stack.pop();
  });
});

describe('bridge-webview events', () => {
  test('a bindmessage batch becomes one message event per item, duplicates dropped; commands run', async () => {
    h = new WeChatHarness({ src: 'https://h5.test/app' });
    const off = registry.register('bw.add', (p: { a: number; b: number }) => p.a + p.b);
    const messages: unknown[] = [];
    const commands: unknown[] = [];
    h.bridge.addEventListener('message', (e: any) => messages.push(e.detail));
    h.bridge.addEventListener('command', (e: any) => commands.push(e.detail));
    const webview = h.bridge.querySelector('#hk-webview')!;
    const batch = [
      'plain',
      { _hkmsg: 'm1', data: { a: 1 } },
      { _hkmsg: 'm1', data: { a: 1 } },
      { _hkcmd: { v: 1, req: 'c1', api: 'bw.add', params: { a: 2, b: 3 } } },
      { _hkcmd: { req: 'c2', api: 'bw.nope' } },
      { _hkcmd: 'broken' },
    ];
    webview.dispatchEvent('message', { detail: { data: batch }, bubbles: false });
    // The same batch again (delivered on share, then on back): nothing handled twice.
    webview.dispatchEvent('message', { detail: { data: batch }, bubbles: false });
    await waitFor(() => commands.length === 4, 1000, 'commands');
    const ours = messages.filter((m: any) => m && typeof m === 'object' && 'index' in m);
    expect(ours).toEqual([
      { data: 'plain', id: undefined, index: 0, total: 6 },
      { data: { a: 1 }, id: 'm1', index: 1, total: 6 },
      { data: 'plain', id: undefined, index: 0, total: 6 },
    ]);
    const byReq = (req: string) => commands.filter((c: any) => c.req === req) as any[];
    expect(byReq('c1')).toEqual([{ req: 'c1', api: 'bw.add', reply: { ok: true, data: 5 } }]);
    expect(byReq('c2')[0].reply.error.code).toBe('METHOD_NOT_FOUND');
    expect(byReq('').map((c) => c.reply.error.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
    off();
  });

  test('load and error pass through with their details', () => {
    h = new WeChatHarness({ src: 'https://h5.test/app' });
    const got: Array<[string, unknown]> = [];
    h.bridge.addEventListener('load', (e: any) => got.push(['load', e.detail]));
    h.bridge.addEventListener('error', (e: any) => got.push(['error', e.detail]));
    const webview = h.bridge.querySelector('#hk-webview')!;
    webview.dispatchEvent('load', { detail: { src: 'https://h5.test/app' }, bubbles: false });
    webview.dispatchEvent('error', { detail: { url: 'https://h5.test/app', fullUrl: 'https://h5.test/app?_t=1' }, bubbles: false });
    return waitFor(() => got.length >= 2, 1000, 'events').then(() => {
      expect(got).toContainEqual(['load', { src: 'https://h5.test/app' }]);
      expect(got).toContainEqual(['error', { url: 'https://h5.test/app', fullUrl: 'https://h5.test/app?_t=1' }]);
    });
  });
});
