import { createId, utf8ByteLength } from '../../src/core/bytes';

test('utf8ByteLength agrees with Buffer.byteLength, including lone surrogates', () => {
  const samples = ['', 'ascii', 'é', '你好，世界', '🙂', 'a🙂b你', '\uD83D', '\uDE42x', '\uD83Dx', '%+&=#', 'ß'.repeat(1000), '\u0000\u007f\u0080\u07ff\u0800\uffff'];
  for (const s of samples) expect([s, utf8ByteLength(s)]).toEqual([s, Buffer.byteLength(s, 'utf8')]);
});

test('createId: unique over many calls, keeps the prefix, short', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 20_000; i++) ids.add(createId('m_'));
  expect(ids.size).toBe(20_000);
  for (const id of Array.from(ids).slice(0, 50)) {
    expect(id.startsWith('m_')).toBe(true);
    expect(id.length).toBeLessThanOrEqual(32);
    expect(id).toMatch(/^m_[0-9a-z]+$/);
  }
});
