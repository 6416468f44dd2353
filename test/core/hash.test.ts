import { HybridError } from '../../src/core/errors';
import {
  decodeHash, encodeHash, encodeHashEntry, errorReply, HashEntry, isReplyPayload, NONCE_KEY, okReply, PUSH_KEY, PushMessage, splitHash, withHash,
} from '../../src/core/hash';
import { LIMITS } from '../../src/core/limits';

const tricky = { text: '你好 🙂', pct: '100% %E4', plus: '1+1=2', amp: 'a&b', hash: '#x', eq: '==' };

test('several entries, a push list and the nonce round-trip', () => {
  const pushes: PushMessage[] = [
    { id: 'p1', event: 'chat', data: tricky },
    { id: 'p2', event: 'presence', data: { online: true } },
  ];
  const entries: HashEntry[] = [
    { key: 'H5Req_1', value: okReply({ user: tricky }) },
    { key: 'H5Req_2', value: errorReply(new HybridError('METHOD_NOT_FOUND', 'no handler for "x"')) },
    { key: PUSH_KEY, value: pushes },
  ];
  const hash = encodeHash(entries, 1700000000000);
  expect(hash.endsWith('&v=1700000000000')).toBe(true);
  expect(hash).not.toMatch(/#|\s/);
  expect(hash.split('&')).toHaveLength(4); // no '&' or '=' leaks out of a value
  const decoded = decodeHash('#' + hash);
  expect(decoded).toEqual({ entries, nonce: '1700000000000' });
  expect(decodeHash(hash)).toEqual(decoded); // with or without '#'
});

test('equal replies still change the hash through the nonce', () => {
  const entries = [{ key: 'r', value: okReply() }];
  expect(encodeHash(entries, 1)).not.toBe(encodeHash(entries, 2));
  expect(decodeHash(encodeHash(entries, 'n-ü')).nonce).toBe('n-ü');
  expect(decodeHash(encodeHash([], 3))).toEqual({ entries: [], nonce: '3' });
});

test('a hash the page wrote itself does no harm: anchors, routes and stray % are skipped or kept apart', () => {
  const ours = encodeHashEntry('H5Req_9', okReply(1));
  for (const pageHash of ['#top', '#', '', '#/list?page=2', '#a=%E4%zz', '#=nokey', '#%zz=1']) {
    expect(() => decodeHash(pageHash)).not.toThrow();
  }
  expect(decodeHash('#top').entries).toEqual([]);
  expect(decodeHash('#=nokey&%zz=1&a=%').entries).toEqual([]);
  const mixed = decodeHash(`#/list?page=2&${ours}&broken=%E4%zz&v=7`);
  expect(mixed.nonce).toBe('7');
  expect(mixed.entries).toEqual([
    { key: '/list?page', value: 2 },
    { key: 'H5Req_9', value: { ok: true, data: 1 } },
  ]);
});

test('values that are not JSON come back as strings (older helpers), + is not a space', () => {
  const { entries } = decodeHash('#H5Req_1=' + encodeURIComponent('done 100%') + '&raw=a+b&v=1');
  expect(entries).toEqual([
    { key: 'H5Req_1', value: 'done 100%' },
    { key: 'raw', value: 'a+b' },
  ]);
});

test('encoding refuses what could not be read back: empty key, the nonce key, cycles', () => {
  expect(() => encodeHashEntry('', 1)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => encodeHash([{ key: NONCE_KEY, value: 1 }], 1)).toThrow(/reserved/);
  const cyclic: Record<string, unknown> = {};
  cyclic.c = cyclic;
  expect(() => encodeHashEntry('r', cyclic)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => encodeHashEntry('r', undefined)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
});

test('oversize: PAYLOAD_TOO_LARGE past maxLength, counted after encoding', () => {
  const value = okReply('汉'.repeat(1000)); // ~9 encoded characters each
  expect(() => encodeHash([{ key: 'r', value }], 1)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  const hash = encodeHash([{ key: 'r', value }], 1, 20_000);
  expect(hash.length).toBeGreaterThan(LIMITS.maxHashLength);
  expect(decodeHash(hash, 20_000).entries[0].value).toEqual(value);
  // Past the limit the hash is ignored as a whole, before any work on it.
  expect(decodeHash(hash)).toEqual({ entries: [] });
});

test('deep nesting in a hash value is not parsed: the raw text is kept', () => {
  const deep = '['.repeat(LIMITS.maxDepth + 1) + ']'.repeat(LIMITS.maxDepth + 1);
  expect(decodeHash('#r=' + encodeURIComponent(deep)).entries).toEqual([{ key: 'r', value: deep }]);
});

test('reply payload helpers and isReplyPayload', () => {
  expect(okReply()).toEqual({ ok: true });
  expect(okReply(0)).toEqual({ ok: true, data: 0 });
  expect(errorReply('boom')).toEqual({ ok: false, error: { code: 'HANDLER_ERROR', message: 'boom' } });
  expect(errorReply(new HybridError('TIMEOUT', 't'))).toEqual({ ok: false, error: { code: 'TIMEOUT', message: 't' } });
  expect([okReply(), errorReply('x')].every(isReplyPayload)).toBe(true);
  for (const bad of [null, 'ok', {}, { ok: 'true' }, { ok: false }, { ok: false, error: { message: 'm' } }]) expect(isReplyPayload(bad)).toBe(false);
});

test('withHash replaces only the hash; the part before # never changes', () => {
  const url = 'https://h5.example.com/app/index.html?token=a%2Bb&_t=123';
  const first = withHash(url, 'r=1&v=1');
  expect(first).toBe(url + '#r=1&v=1');
  const second = withHash(first, 'r=2&v=2');
  expect(splitHash(second)).toEqual({ base: url, hash: 'r=2&v=2' });
  expect(withHash(second, '')).toBe(url);
  expect(splitHash('no-hash')).toEqual({ base: 'no-hash', hash: '' });
});

test('non-string input never throws', () => {
  for (const bad of [undefined, null, 42, { hash: '#r=1' }, Buffer.from('#r=1')]) {
    expect(decodeHash(bad as unknown as string)).toEqual({ entries: [] });
  }
});
