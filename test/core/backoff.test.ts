import { Backoff, DEFAULT_BACKOFF, fullJitterDelay } from '../../src/core/backoff';

test('full jitter stays in [0, min(cap, base * 2^attempt)) for the extremes of random()', () => {
  const top = () => 0.999999;
  const bottom = () => 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(1000, 100 * 2 ** attempt);
    expect(fullJitterDelay(attempt, 100, 1000, bottom)).toBe(0);
    const high = fullJitterDelay(attempt, 100, 1000, top);
    expect(high).toBeLessThan(ceiling);
    expect(high).toBeGreaterThanOrEqual(ceiling - 1);
  }
  expect(fullJitterDelay(2, 100, 1000, () => 0.5)).toBe(200);
});

test('huge and negative attempts stay at the cap and at the base', () => {
  expect(fullJitterDelay(5000, 100, 30_000, () => 0.5)).toBe(15_000);
  expect(fullJitterDelay(-3, 100, 30_000, () => 0.5)).toBe(50);
});

test('Backoff grows until the cap, returns null after maxRetries, and reset starts over', () => {
  const b = new Backoff({ base: 10, cap: 50, maxRetries: 5 }, () => 0.5);
  const delays = [b.next(), b.next(), b.next(), b.next(), b.next()];
  expect(delays).toEqual([5, 10, 20, 25, 25]);
  expect(b.attempts).toBe(5);
  expect(b.next()).toBeNull();
  expect(b.next()).toBeNull();
  b.reset();
  expect(b.attempts).toBe(0);
  expect(b.next()).toBe(5);
});

test('maxRetries 0 gives up at once; the defaults retry forever', () => {
  expect(new Backoff({ base: 1, cap: 1, maxRetries: 0 }).next()).toBeNull();
  const forever = new Backoff({}, () => 0);
  for (let i = 0; i < 200; i++) expect(forever.next()).toBe(0);
  expect(forever.options).toEqual(DEFAULT_BACKOFF);
});

test('with the real Math.random every delay is an integer within bounds', () => {
  const b = new Backoff({ base: 20, cap: 300, maxRetries: 1000 });
  for (let i = 0; i < 1000; i++) {
    const d = b.next()!;
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(Math.min(300, 20 * 2 ** i));
  }
});

test('bad options are refused', () => {
  expect(() => new Backoff({ base: 0 })).toThrow(RangeError);
  expect(() => new Backoff({ base: 100, cap: 50 })).toThrow(/0 < base <= cap/);
  expect(() => new Backoff({ maxRetries: -1 })).toThrow(/maxRetries/);
  expect(() => new Backoff({ base: NaN })).toThrow(RangeError);
});
