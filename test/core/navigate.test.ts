import { LIMITS, PROTOCOL_VERSION } from '../../src/core/limits';
import { buildCallUrl, decodeCmd, DecodedCmd, encodeCmd, NavigateCmd } from '../../src/core/navigate';

const tricky = { text: '你好，世界 🙂👍🏽', pct: '100% %zz %E4', plus: 'a+b=c&d#e?f', quote: 'say "hi" \\ back', n: [1, 2.5, null, true] };

function okCmd(result: DecodedCmd): NavigateCmd {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.cmd;
}
function failure(result: DecodedCmd) {
  if (result.ok) throw new Error('expected a failure');
  return { code: result.error.code, req: result.req };
}

test('encodeCmd → decodeCmd round-trips tricky params and adds v', () => {
  const cmd = { req: 'H5Req_1', api: 'user.get', params: tricky };
  const encoded = encodeCmd(cmd);
  expect(encoded).not.toMatch(/[{}"\s+&#?%](?![0-9A-F]{2})/); // only safe characters and %XX
  expect(okCmd(decodeCmd(encoded))).toEqual({ v: PROTOCOL_VERSION, ...cmd });
});

test('the value may arrive decoded once already (the platform decoded the query)', () => {
  const cmd = { req: 'r2', api: 'a', params: tricky };
  expect(okCmd(decodeCmd(decodeURIComponent(encodeCmd(cmd))))).toEqual({ v: 1, ...cmd });
});

test('the value may arrive encoded twice', () => {
  const cmd = { req: 'r3', api: 'a', params: tricky };
  expect(okCmd(decodeCmd(encodeURIComponent(encodeCmd(cmd))))).toEqual({ v: 1, ...cmd });
});

test('JSON stringified twice is unwrapped', () => {
  const inner = JSON.stringify({ req: 'r4', api: 'a', params: { x: 1 } });
  expect(okCmd(decodeCmd(JSON.stringify(inner)))).toEqual({ req: 'r4', api: 'a', params: { x: 1 } });
  expect(okCmd(decodeCmd(encodeURIComponent(JSON.stringify(inner)))).req).toBe('r4');
});

test('the old helper\'s input: no v, + escaped as %2B by its serializer, and an already-parsed object', () => {
  const params = { param1: 'value 1+2', param2: true };
  const seedEncoded = encodeURIComponent(JSON.stringify({ req: 'H5Req_1567077985338', api: 'do-sth', params })).replace(/\+/gm, '%2B');
  const cmd = okCmd(decodeCmd(seedEncoded));
  expect(cmd).toEqual({ req: 'H5Req_1567077985338', api: 'do-sth', params });
  expect('v' in cmd).toBe(false);
  expect(okCmd(decodeCmd({ req: 'r', api: 'a' }))).toEqual({ req: 'r', api: 'a' });
});

test('missing, empty and non-object cmd values are BAD_REQUEST', () => {
  for (const raw of [undefined, null, '', '[]', '42', 'hello', 7, ['x'], '%5B1%5D']) {
    expect(failure(decodeCmd(raw)).code).toBe('BAD_REQUEST');
  }
});

test('broken cmds are BAD_REQUEST and still give back the req when it can be found', () => {
  const broken = '{"req":"r-broken","api":"a","params":{';
  expect(failure(decodeCmd(broken))).toEqual({ code: 'BAD_REQUEST', req: 'r-broken' });
  expect(failure(decodeCmd(encodeURIComponent(broken)))).toEqual({ code: 'BAD_REQUEST', req: 'r-broken' });
  // A stray % makes decodeURIComponent throw; the req is salvaged around it.
  const stray = encodeURIComponent('{"req":"r-pct","api":"a","params":"') + '%E4%zz';
  expect(failure(decodeCmd(stray))).toEqual({ code: 'BAD_REQUEST', req: 'r-pct' });
  expect(failure(decodeCmd('%'))).toEqual({ code: 'BAD_REQUEST', req: undefined });
  // Valid JSON, wrong fields: the req still comes back when usable.
  expect(failure(decodeCmd(encodeURIComponent(JSON.stringify({ req: 'r5', api: '' }))))).toEqual({ code: 'BAD_REQUEST', req: 'r5' });
  expect(failure(decodeCmd(JSON.stringify({ req: 5, api: 'a' })))).toEqual({ code: 'BAD_REQUEST', req: undefined });
});

test('huge ids are refused on both sides; no salvaged req longer than the limit', () => {
  const hugeReq = 'r'.repeat(LIMITS.maxNameLength + 1);
  expect(() => encodeCmd({ req: hugeReq, api: 'a' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => encodeCmd({ req: 'r', api: 'x'.repeat(1000) })).toThrow(/"api" is longer/);
  const decoded = failure(decodeCmd(JSON.stringify({ req: hugeReq, api: 'a' })));
  expect(decoded.code).toBe('BAD_REQUEST');
  expect(decoded.req).toBeUndefined();
});

test('oversize: PAYLOAD_TOO_LARGE when encoding past maxLength, and for huge raw input', () => {
  const params = { text: '汉'.repeat(1000) }; // 9 encoded characters per 汉
  expect(() => encodeCmd({ req: 'r', api: 'a', params })).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  expect(encodeCmd({ req: 'r', api: 'a', params }, 20_000).length).toBeGreaterThan(9000);
  const raw = encodeURIComponent(JSON.stringify({ req: 'r-big', api: 'a', params: 'x'.repeat(LIMITS.maxCmdLength * 3) }));
  expect(failure(decodeCmd(raw))).toEqual({ code: 'PAYLOAD_TOO_LARGE', req: 'r-big' });
  expect(okCmd(decodeCmd(raw, raw.length)).req).toBe('r-big');
});

test('deep nesting is refused before it reaches a handler', () => {
  let params: unknown = 'leaf';
  for (let i = 0; i < LIMITS.maxDepth + 2; i++) params = [params];
  const raw = encodeURIComponent(JSON.stringify({ req: 'r-deep', api: 'a', params }));
  expect(failure(decodeCmd(raw, 100_000))).toEqual({ code: 'BAD_REQUEST', req: 'r-deep' });
});

test('encodeCmd refuses params JSON cannot carry (cycles, BigInt)', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  expect(() => encodeCmd({ req: 'r', api: 'a', params: cyclic })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => encodeCmd({ req: 'r', api: 'a', params: BigInt(2) })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
});

test('buildCallUrl appends cmd with ? or & and the result decodes back', () => {
  const cmd = { req: 'r', api: 'a', params: { q: 'x&y=z' } };
  const plain = buildCallUrl('/pages/relay/index', cmd);
  expect(plain.startsWith('/pages/relay/index?cmd=')).toBe(true);
  const withQuery = buildCallUrl('/pages/relay/index?from=h5', cmd);
  expect(withQuery.startsWith('/pages/relay/index?from=h5&cmd=')).toBe(true);
  const value = new URL(withQuery, 'https://x.invalid').searchParams.get('cmd');
  expect(okCmd(decodeCmd(value))).toEqual({ v: 1, ...cmd });
});

test('binary input is BAD_REQUEST, never a crash', () => {
  const text = JSON.stringify({ req: 'r-bin', api: 'a' });
  for (const raw of [Buffer.from(text), new TextEncoder().encode(text), new ArrayBuffer(8)]) {
    expect(failure(decodeCmd(raw)).code).toBe('BAD_REQUEST');
  }
});

describe('hostile cmds', () => {
  test('an oversized cmd is refused looking only at its start: 3 MB of %E4, and a req buried deep is not searched for', () => {
    expect(failure(decodeCmd('%E4'.repeat(1 << 20)))).toEqual({ code: 'PAYLOAD_TOO_LARGE', req: undefined });
    const head = encodeURIComponent('{"v":1,"req":"r1","api":"a","params":"');
    expect(failure(decodeCmd(head + '%E4'.repeat(1 << 20)))).toEqual({ code: 'PAYLOAD_TOO_LARGE', req: 'r1' });
    const buried = 'x'.repeat(100_000) + encodeURIComponent('"req":"r2"');
    expect(failure(decodeCmd(buried))).toEqual({ code: 'PAYLOAD_TOO_LARGE', req: undefined });
  });

  test('a broken escape inside the limit: the req is still found (ASCII escapes decoded without a thrown error each)', () => {
    const broken = encodeURIComponent('{"v":1,"req":"r9","api":"a","params":"') + '%E4'.repeat(200);
    expect(failure(decodeCmd(broken))).toEqual({ code: 'BAD_REQUEST', req: 'r9' });
  });

  test('a req with a lone surrogate is refused at decode and never answered; an api with one is answered BAD_REQUEST', () => {
    for (const req of ['\ud800', 'a\udc00', '\udc00\ud800']) {
      expect(failure(decodeCmd(JSON.stringify({ req, api: 'a' })))).toEqual({ code: 'BAD_REQUEST', req: undefined });
      expect(failure(decodeCmd({ req, api: 'a' }))).toEqual({ code: 'BAD_REQUEST', req: undefined });
    }
    expect(failure(decodeCmd(JSON.stringify({ req: 'r3', api: 'a\ud800' })))).toEqual({ code: 'BAD_REQUEST', req: 'r3' });
    // A well-formed pair is fine.
    expect(okCmd(decodeCmd(JSON.stringify({ req: 'r😀', api: 'a' }))).req).toBe('r😀');
  });
});
