import { mpModule } from '../helpers/mp-dist';
import { WeChatHarness } from '../helpers/wechat-harness';
import { sleep, waitFor } from '../helpers/wait';

const hash = mpModule('core/hash');
const navigate = mpModule('core/navigate');
const { defaultRegistry } = mpModule('core/registry');

const RELAY = '/pages/hybrid-call/index';
const cmdUrl = (req: string, api: string, params?: unknown) => navigate.buildCallUrl(RELAY, { req, api, params });

function replyIn(url: string, req: string): any {
  const found = hash.decodeHash(hash.splitHash(url).hash).entries.find((e: any) => e.key === req);
  return found && found.value;
}

let h: WeChatHarness;
const offs: Array<() => void> = [];
beforeAll(() => {
  offs.push(
    defaultRegistry.register('echo', (p: unknown) => p),
    defaultRegistry.register('later', (p: { ms: number; value: unknown }) => new Promise((r) => setTimeout(() => r(p.value), p.ms))),
    defaultRegistry.register('throws', () => {
      throw new Error('boom');
    }),
    defaultRegistry.register('rejects', () => Promise.reject({ code: 'BAD_REQUEST', message: 'id is required' })),
    defaultRegistry.register('never', () => new Promise(() => undefined)),
  );
});
afterAll(() => offs.forEach((off) => off()));
beforeEach(() => {
  h = new WeChatHarness({ src: 'https://h5.test/app' });
});
afterEach(() => h.close());

async function roundTrip(url: string, req: string): Promise<any> {
  const before = h.backCount;
  h.openRelay(url);
  await waitFor(() => h.backCount > before && !h.relay, 2000, 'navigateBack');
  return waitFor(() => replyIn(h.src, req), 1000, `reply ${req}`);
}

test('runs the handler, hands the reply to the opener bridge, navigates back', async () => {
  const reply = await roundTrip(cmdUrl('r1', 'echo', { q: 1 }), 'r1');
  expect(reply).toEqual({ ok: true, data: { q: 1 } });
  expect(h.relayCount).toBe(1);
  expect(h.backCount).toBe(1);
});

test('async handlers answer when they finish', async () => {
  expect(await roundTrip(cmdUrl('r2', 'later', { ms: 20, value: [1, 2] }), 'r2')).toEqual({ ok: true, data: [1, 2] });
});

test.each([
  ['unknown api', () => cmdUrl('e1', 'missing'), 'e1', 'METHOD_NOT_FOUND'],
  ['handler throws', () => cmdUrl('e2', 'throws'), 'e2', 'HANDLER_ERROR'],
  ['handler rejects with a wire error', () => cmdUrl('e3', 'rejects'), 'e3', 'BAD_REQUEST'],
  ['broken JSON with a recoverable req', () => RELAY + '?cmd=' + encodeURIComponent('{"v":1,"req":"e4","api":"echo",'), 'e4', 'BAD_REQUEST'],
  ['stray % in cmd', () => RELAY + '?cmd=%7B%22v%22%3A1%2C%22req%22%3A%22e5%22%2C%22api%22%3A%25%25', 'e5', 'BAD_REQUEST'],
  ['api missing', () => RELAY + '?cmd=' + encodeURIComponent(JSON.stringify({ v: 1, req: 'e6' })), 'e6', 'BAD_REQUEST'],
])('%s is answered with its error code', async (_name, url, req, code) => {
  const reply = await roundTrip(url(), req);
  expect(reply.ok).toBe(false);
  expect(reply.error.code).toBe(code);
  expect(typeof reply.error.message).toBe('string');
});

test('a cmd far past the length limit is answered PAYLOAD_TOO_LARGE (its req salvaged)', async () => {
  const huge = RELAY + '?cmd=' + encodeURIComponent(JSON.stringify({ v: 1, req: 'big1', api: 'echo', params: 'x'.repeat(20_000) }));
  const reply = await roundTrip(huge, 'big1');
  expect(reply.error.code).toBe('PAYLOAD_TOO_LARGE');
});

test('a slow handler is answered TIMEOUT', async () => {
  const saved = defaultRegistry.timeout;
  defaultRegistry.timeout = 30;
  try {
    const reply = await roundTrip(cmdUrl('t1', 'never'), 't1');
    expect(reply.error.code).toBe('TIMEOUT');
  } finally {
    defaultRegistry.timeout = saved;
  }
});

test('a missing cmd still navigates back (nobody to answer, no hash write)', async () => {
  h.openRelay(RELAY);
  await waitFor(() => h.backCount === 1 && !h.relay, 2000, 'navigateBack');
  await sleep(20);
  expect(h.srcHistory).toHaveLength(1);
});

test('the user leaving before the handler finishes produces CANCELLED, and no navigateBack', async () => {
  h.openRelay(cmdUrl('c1', 'later', { ms: 60, value: 'late' }));
  await sleep(5);
  h.leaveRelay();
  const reply = await waitFor(() => replyIn(h.src, 'c1'), 1000, 'cancel reply');
  expect(reply.error.code).toBe('CANCELLED');
  await sleep(80); // the handler's late result must not be written
  expect(h.srcHistory.filter((u) => replyIn(u, 'c1'))).toHaveLength(1);
  expect(h.backCount).toBe(0);
});

test('the original helper\'s format (no v), already-decoded options and double encoding are all understood', async () => {
  // Without `v` the answer is the old helper's bare value: an object as its JSON text, alone in the hash.
  const legacy = RELAY + '?cmd=' + encodeURIComponent(JSON.stringify({ req: 'H5Req_1', api: 'echo', params: { a: 1 } }));
  expect(await roundTrip(legacy, 'H5Req_1')).toEqual({ a: 1 });
  expect(hash.splitHash(h.src).hash).toMatch(/^H5Req_1=%7B%22a%22%3A1%7D&v=[0-9a-z]+$/);
  const twice = RELAY + '?cmd=' + encodeURIComponent(encodeURIComponent(JSON.stringify({ v: 1, req: 'd2', api: 'echo', params: 'x' })));
  expect(await roundTrip(twice, 'd2')).toEqual({ ok: true, data: 'x' });
  h.close();
  h = new WeChatHarness({ src: 'https://h5.test/app', decodeOptions: true });
  expect(await roundTrip(cmdUrl('d3', 'echo', 'y'), 'd3')).toEqual({ ok: true, data: 'y' });
});

test('hostile params round-trip exactly: % + # & = emoji Chinese', async () => {
  const params = { s: '100% + 1 = #2 & 3 ?x=y', zh: '你好，世界', emoji: '👍🏽🎉', nested: { k: ['%E4', '%%', '+'] } };
  expect(await roundTrip(cmdUrl('h1', 'echo', params), 'h1')).toEqual({ ok: true, data: params });
});
