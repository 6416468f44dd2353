import { HybridError } from '../../src/core/errors';
import { BoundedQueue } from '../../src/core/queue';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HybridError);
    return (err as HybridError).code;
  }
  return undefined;
}

test('FIFO with count and byte totals', () => {
  const q = new BoundedQueue<string>();
  q.push('a', { bytes: 3 });
  q.push('b', { bytes: 4 });
  expect([q.length, q.bytes, q.peek()]).toEqual([2, 7, 'a']);
  expect(q.shift()).toBe('a');
  expect([q.length, q.bytes]).toEqual([1, 4]);
  expect(q.drain()).toEqual(['b']);
  expect([q.length, q.bytes, q.shift(), q.peek()]).toEqual([0, 0, undefined, undefined]);
});

test('drop-oldest: the count bound pushes the oldest out and reports it', () => {
  const q = new BoundedQueue<number>({ maxItems: 3 });
  for (const n of [1, 2, 3]) expect(q.push(n)).toEqual({ accepted: true, dropped: [] });
  expect(q.push(4)).toEqual({ accepted: true, dropped: [1] });
  expect(q.toArray()).toEqual([2, 3, 4]);
});

test('drop-oldest: the byte bound drops as many as needed', () => {
  const q = new BoundedQueue<string>({ maxBytes: 10 });
  q.push('a', { bytes: 4 });
  q.push('b', { bytes: 4 });
  q.push('c', { bytes: 2 });
  expect(q.push('d', { bytes: 9 })).toEqual({ accepted: true, dropped: ['a', 'b', 'c'] });
  expect([q.toArray(), q.bytes]).toEqual([['d'], 9]);
});

test('drop-newest: the new item is refused and reported, the queue keeps what it had', () => {
  const q = new BoundedQueue<string>({ maxItems: 2, maxBytes: 100, overflow: 'drop-newest' });
  q.push('a', { bytes: 10 });
  q.push('b', { bytes: 10 });
  expect(q.push('c', { bytes: 1 })).toEqual({ accepted: false, dropped: ['c'] });
  expect([q.toArray(), q.bytes]).toEqual([['a', 'b'], 20]);
  q.shift();
  expect(q.push('big', { bytes: 91 })).toEqual({ accepted: false, dropped: ['big'] });
  expect(q.push('fits', { bytes: 90 }).accepted).toBe(true);
});

test('reject: QUEUE_FULL when full and nothing already accepted is lost', () => {
  const q = new BoundedQueue<string>({ maxItems: 2, maxBytes: 8, overflow: 'reject' });
  q.push('a', { bytes: 4 });
  q.push('b', { bytes: 4 });
  const before = [q.toArray(), q.length, q.bytes];
  expect(codeOf(() => q.push('c'))).toBe('QUEUE_FULL');
  expect([q.toArray(), q.length, q.bytes]).toEqual(before);
  q.shift();
  expect(codeOf(() => q.push('c', { bytes: 5 }))).toBe('QUEUE_FULL'); // count fits, bytes do not
  expect([q.toArray(), q.bytes]).toEqual([['b'], 4]);
});

test('an item larger than the whole queue: PAYLOAD_TOO_LARGE under reject, refused under the drop policies, nothing lost', () => {
  const rejecting = new BoundedQueue<string>({ maxBytes: 10, overflow: 'reject' });
  rejecting.push('kept', { bytes: 5 });
  expect(codeOf(() => rejecting.push('huge', { bytes: 11 }))).toBe('PAYLOAD_TOO_LARGE');
  expect(rejecting.toArray()).toEqual(['kept']);
  const dropping = new BoundedQueue<string>({ maxBytes: 10 });
  dropping.push('kept', { bytes: 5 });
  expect(dropping.push('huge', { bytes: 11 })).toEqual({ accepted: false, dropped: ['huge'] });
  expect(dropping.toArray()).toEqual(['kept']);
});

test('TTL with an injected clock: expired items are skipped, counted once, and free their room', () => {
  let now = 1000;
  const q = new BoundedQueue<string>({ maxItems: 2, overflow: 'reject', now: () => now });
  q.push('short', { ttl: 50, bytes: 3 });
  q.push('long', { ttl: 500, bytes: 2 });
  now += 49;
  expect(q.peek()).toBe('short');
  now += 1; // exactly at expiry: gone
  expect(q.pruneExpired()).toEqual(['short']);
  expect(q.pruneExpired()).toEqual([]);
  expect([q.length, q.bytes]).toEqual([1, 2]);
  expect(q.push('new').accepted).toBe(true); // the expired item no longer takes a slot
  now += 1000;
  expect(q.shift()).toBe('new'); // no ttl: never expires
  expect(q.shift()).toBeUndefined();
  expect(q.bytes).toBe(0);
});

test('expired items make room before an overflow policy applies', () => {
  let now = 0;
  const q = new BoundedQueue<number>({ maxItems: 1, overflow: 'reject', now: () => now });
  q.push(1, { ttl: 10 });
  now = 10;
  expect(q.push(2)).toEqual({ accepted: true, dropped: [] });
  expect(q.drain()).toEqual([2]);
});

test('unshift puts items back at the front; removeWhere takes matching items and their bytes', () => {
  const q = new BoundedQueue<{ id: number; size: number }>({ maxItems: 10 });
  q.push({ id: 3, size: 3 }, { bytes: 3 });
  q.unshift([{ id: 1, size: 1 }, { id: 2, size: 2 }], (item) => item.size);
  expect(q.toArray().map((x) => x.id)).toEqual([1, 2, 3]);
  expect(q.bytes).toBe(6);
  expect(q.removeWhere((x) => x.id % 2 === 1).map((x) => x.id)).toEqual([1, 3]);
  expect([q.toArray().map((x) => x.id), q.bytes]).toEqual([[2], 2]);
  expect(q.removeWhere(() => false)).toEqual([]);
  expect(q.clear().map((x) => x.id)).toEqual([2]);
});

test('bad sizes and ttls are refused with BAD_REQUEST and leave the queue untouched', () => {
  const q = new BoundedQueue<string>({ maxItems: 2 });
  q.push('a', { bytes: 1 });
  for (const bytes of [NaN, -1, Infinity]) expect(codeOf(() => q.push('x', { bytes }))).toBe('BAD_REQUEST');
  for (const ttl of [NaN, -5]) expect(codeOf(() => q.push('x', { ttl }))).toBe('BAD_REQUEST');
  expect([q.toArray(), q.bytes]).toEqual([['a'], 1]);
});

test('bad options are refused', () => {
  expect(() => new BoundedQueue({ maxItems: 0 })).toThrow(RangeError);
  expect(() => new BoundedQueue({ maxBytes: 0 })).toThrow(RangeError);
  expect(() => new BoundedQueue({ overflow: 'drop-random' as never })).toThrow(/unknown overflow policy/);
});
