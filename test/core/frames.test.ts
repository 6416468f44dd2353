import { HybridError } from '../../src/core/errors';
import { decodeFrame, encodeFrame, errorFrame, Frame, FRAME_TYPES, isKnownFrame, KnownFrame } from '../../src/core/frames';
import { LIMITS } from '../../src/core/limits';

const tricky = { text: '你好 🙂', pct: '100% %E4', plus: 'a+b', nested: { list: [1, null, true] } };

const oneOfEach: KnownFrame[] = [
  { type: 'message', id: 'm1', event: 'chat', data: tricky, to: 'miniapp', from: 'h5', seq: 3 },
  { type: 'message', data: 'fire and forget' },
  { type: 'ack', id: 'm1' },
  { type: 'ping', ts: 1700000000000, lastSeq: 12 },
  { type: 'pong', ts: 1700000000000 },
  { type: 'request', id: 'q1', api: 'user.get', params: { uid: 7 }, to: 'miniapp' },
  { type: 'response', id: 'q1', ok: true, data: tricky },
  { type: 'response', id: 'q2', ok: false, error: { code: 'METHOD_NOT_FOUND', message: 'no handler' } },
  { type: 'request', id: 'q3', api: 'chat.reply', params: 'hi', stream: true, to: 'h5' },
  { type: 'chunk', id: 'q3', n: 0, data: ['Hel', 'lo', tricky], from: 'h5', seq: 9 },
  { type: 'response', id: 'q3', ok: true, chunks: 1 },
  { type: 'cancel', id: 'q3', to: 'h5' },
  { type: 'presence', env: 'h5', online: false },
  { type: 'hello', v: 1, env: 'miniapp', peers: ['h5'] },
  { type: 'resume', lastSeq: 0 },
  { type: 'error', code: 'RATE_LIMITED', message: 'slow down', id: 'm9' },
  { type: 'delivered', ids: ['m1', 'm2'], from: 'h5', seq: 9 },
  { type: 'hello', v: 1, env: 'h5', peers: [], receipts: true, store: 'a1b2' },
];

test('delivered needs a list of ids', () => {
  for (const bad of ['{"type":"delivered"}', '{"type":"delivered","ids":"m1"}', '{"type":"delivered","ids":[""]}', '{"type":"delivered","ids":[7]}']) {
    expect(() => decodeFrame(bad)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  }
});

function rejection(input: unknown, limits = {}): HybridError {
  try {
    decodeFrame(input, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(HybridError);
    return err as HybridError;
  }
  throw new Error(`decodeFrame accepted ${String(input).slice(0, 80)}`);
}

test('every frame type round-trips and is known', () => {
  const seen = new Set<string>();
  for (const frame of oneOfEach) {
    const back = decodeFrame(encodeFrame(frame));
    expect(back).toEqual(frame);
    expect(isKnownFrame(back)).toBe(true);
    seen.add(frame.type);
  }
  expect(Array.from(seen).sort()).toEqual([...FRAME_TYPES].sort());
});

test('legacy { type, data } frames (the old express-ws relay) decode untouched and are not "known"', () => {
  const legacy: Frame[] = [
    { type: 'chat', data: { from: 'h5', text: '在吗？' } },
    { type: 'location', data: [121.47, 31.23], extra: 'kept' },
    { type: 'noData' },
  ];
  for (const frame of legacy) {
    const back = decodeFrame(encodeFrame(frame));
    expect(back).toEqual(frame);
    expect(isKnownFrame(back)).toBe(false);
  }
});

test('not JSON, not an object, binary input: BAD_REQUEST', () => {
  for (const input of ['', '{', 'null', '[]', '"message"', '42', '{"type":"message"']) expect(rejection(input).code).toBe('BAD_REQUEST');
  for (const input of [Buffer.from('{"type":"ping"}'), new Uint8Array([123, 125]).buffer, new Uint8Array(2), 42, null, undefined, { type: 'ping' }]) {
    const err = rejection(input);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/JSON text, not binary/);
  }
});

test('wrong field types are BAD_REQUEST; the frame id comes back in details when it is usable', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ data: 1 }, /"type"/],
    [{ type: 5 }, /"type"/],
    [{ type: '' }, /"type"/],
    [{ type: 't'.repeat(65) }, /"type" is longer/],
    [{ type: 'message', id: 5 }, /"id"/],
    [{ type: 'message', to: '' }, /"to"/],
    [{ type: 'message', seq: -1 }, /"seq"/],
    [{ type: 'message', seq: 1.5 }, /"seq"/],
    [{ type: 'message', seq: '3' }, /"seq"/],
    [{ type: 'message', seq: 2 ** 60 }, /"seq"/],
    [{ type: 'ack' }, /"id"/],
    [{ type: 'ping', ts: 'now' }, /"ts"/],
    [{ type: 'ping', lastSeq: -2 }, /"lastSeq"/],
    [{ type: 'request', id: 'q', api: 3 }, /"api"/],
    [{ type: 'request', api: 'a' }, /"id"/],
    [{ type: 'response', id: 'q', ok: 'yes' }, /"ok"/],
    [{ type: 'request', id: 'q', api: 'a', stream: 'yes' }, /"stream"/],
    [{ type: 'response', id: 'q', ok: true, chunks: -1 }, /"chunks"/],
    [{ type: 'chunk', id: 'q', data: [] }, /"n" is required/],
    [{ type: 'chunk', id: 'q', n: 1.5, data: [] }, /"n"/],
    [{ type: 'chunk', id: 'q', n: 0, data: 'text' }, /list of items/],
    [{ type: 'chunk', n: 0, data: [] }, /"id"/],
    [{ type: 'cancel' }, /"id"/],
    [{ type: 'response', id: 'q', ok: false }, /error must be/],
    [{ type: 'response', id: 'q', ok: false, error: { code: 'nope', message: 'm' } }, /upper-case code/],
    [{ type: 'response', id: 'q', ok: false, error: { code: '', message: 'm' } }, /upper-case code/],
    [{ type: 'response', id: 'q', ok: false, error: { code: 'NEW_CODE' } }, /error must be/],
    [{ type: 'error', code: '<b>X</b>', message: 'm' }, /upper-case code/],
    [{ type: 'presence', env: 'h5', online: 1 }, /"online"/],
    [{ type: 'presence', online: true }, /"env"/],
    [{ type: 'hello', peers: 'h5' }, /"peers"/],
    [{ type: 'hello', peers: ['h5', 2] }, /"peers"/],
    [{ type: 'resume' }, /"lastSeq" is required/],
    [{ type: 'error', code: 'TIMEOUT' }, /error must be/],
  ];
  for (const [frame, message] of cases) {
    const err = rejection(JSON.stringify(frame));
    expect([frame, err.code]).toEqual([frame, 'BAD_REQUEST']);
    expect(err.message).toMatch(message);
  }
  expect(rejection(JSON.stringify({ type: 'request', id: 'q7', api: 9 })).details).toEqual({ id: 'q7' });
  expect(rejection(JSON.stringify({ type: 'message', id: 'x'.repeat(500), seq: -1 })).details).toBeUndefined();
});

test('huge ids are refused, up to the configured name length', () => {
  const id = 'i'.repeat(LIMITS.maxNameLength + 1);
  expect(rejection(JSON.stringify({ type: 'ack', id })).message).toMatch(/"id" is longer than 128/);
  expect(decodeFrame(JSON.stringify({ type: 'ack', id }), { maxNameLength: 200 })).toEqual({ type: 'ack', id });
});

test('oversize is measured in UTF-8 bytes, not characters, on both sides', () => {
  const max = 1000;
  const chinese: Frame = { type: 'message', data: '汉'.repeat(400) }; // ~430 characters, ~1230 bytes
  const text = JSON.stringify(chinese);
  expect(text.length).toBeLessThan(max);
  expect(Buffer.byteLength(text)).toBeGreaterThan(max);
  expect(() => encodeFrame(chinese, { maxFrameBytes: max })).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  expect(rejection(text, { maxFrameBytes: max }).code).toBe('PAYLOAD_TOO_LARGE');
  const emoji: Frame = { type: 'message', data: '🙂'.repeat(250) }; // 500 UTF-16 units, 1000 bytes of emoji
  expect(rejection(JSON.stringify(emoji), { maxFrameBytes: max }).code).toBe('PAYLOAD_TOO_LARGE');
  const ascii: Frame = { type: 'message', data: 'a'.repeat(900) };
  expect(decodeFrame(encodeFrame(ascii, { maxFrameBytes: max }), { maxFrameBytes: max })).toEqual(ascii);
  // Exactly at the limit passes; one byte more does not.
  const exact = JSON.stringify({ type: 'message', data: 'x'.repeat(max - 28) });
  expect(Buffer.byteLength(exact)).toBe(max);
  expect(decodeFrame(exact, { maxFrameBytes: max })).toBeDefined();
  expect(rejection(exact.replace('"x', '"xx'), { maxFrameBytes: max }).code).toBe('PAYLOAD_TOO_LARGE');
  // The default limit applies without options.
  expect(rejection(JSON.stringify({ type: 'message', data: 'x'.repeat(LIMITS.maxFrameBytes) })).code).toBe('PAYLOAD_TOO_LARGE');
});

test('deep nesting and cycles', () => {
  let data: unknown = 0;
  for (let i = 0; i < LIMITS.maxDepth + 1; i++) data = { d: data };
  expect(rejection(JSON.stringify({ type: 'message', data })).message).toMatch(/nested deeper/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => encodeFrame({ type: 'message', data: cyclic })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => encodeFrame({ type: 'message', data: cyclic })).toThrow(/^"message" frame cannot be encoded as JSON/);
});

test('errorFrame turns anything thrown into a wire error frame that decodes', () => {
  expect(errorFrame(new HybridError('UNAUTHORIZED', 'bad token'))).toEqual({ type: 'error', code: 'UNAUTHORIZED', message: 'bad token' });
  const frame = errorFrame(new Error('oops'), 'm3');
  expect(frame).toEqual({ type: 'error', code: 'BAD_REQUEST', message: 'oops', id: 'm3' });
  expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
});

test('a response or error frame with a well-formed code this build does not know is accepted as it is', () => {
  const response = decodeFrame('{"type":"response","id":"q","ok":false,"error":{"code":"NEWER_CODE","message":"m"}}');
  expect(response).toMatchObject({ error: { code: 'NEWER_CODE', message: 'm' } });
  expect(decodeFrame('{"type":"error","code":"NEWER_CODE","message":"m","id":"q"}')).toMatchObject({ code: 'NEWER_CODE' });
});
