import * as path from 'path';
import { DIST_SERVER, server } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { SeqBacklog } = require(path.join(DIST_SERVER, 'backlog'));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { takeToken } = require(path.join(DIST_SERVER, 'rate-limit'));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { resolveInside } = require(path.join(DIST_SERVER, 'static-files'));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const cliArgs = require(path.join(DIST_SERVER, 'cli-args'));
const serveOptions = (argv: string[], env: NodeJS.ProcessEnv) => cliArgs.serveOptions(cliArgs.parseCommandArgs(argv, cliArgs.serveArgOptions()), env);

describe('SeqBacklog', () => {
  const limits = { backlogItems: 3, backlogBytes: 100, backlogTtlMs: 1000 };

  test('keeps the newest frames within the item and byte limits, reporting what it pushed out', () => {
    const b = new SeqBacklog(limits);
    expect(b.push(1, 'a', 0, 'h5', 'm1').count).toBe(0);
    b.push(2, 'b', 0, 'h5', '');
    b.push(3, 'c', 0, 'kiosk', 'm3');
    expect(b.push(4, 'd', 0)).toMatchObject({ count: 1, origins: [['h5', 'm1']] });
    expect(b.after(0, 0)).toEqual([[2, 'b'], [3, 'c'], [4, 'd']]);
    expect(b.push(5, 'x'.repeat(90), 0)).toMatchObject({ count: 1, origins: [] }); // count limit (no id: counted, not reported); 92 bytes still fit
    expect(b.push(6, 'y'.repeat(95), 0)).toMatchObject({ count: 3, origins: [['kiosk', 'm3']] }); // byte limit: only the newest fits
    expect(b.after(0, 0).map(([s]: [number]) => s)).toEqual([6]);
  });

  test('trims by confirmed seq (returning the origins confirmed) and expires by time', () => {
    const b = new SeqBacklog({ ...limits, backlogItems: 100 });
    for (let s = 1; s <= 10; s++) b.push(s, `f${s}`, s * 100, 'h5', s % 2 ? `id${s}` : '');
    expect(b.trim(4).origins).toEqual([['h5', 'id1'], ['h5', 'id3']]);
    expect(b.trim(4).count).toBe(0);
    expect(b.after(0, 0).map(([s]: [number]) => s)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(b.after(7, 0).map(([s]: [number]) => s)).toEqual([8, 9, 10]);
    expect(b.expire(1750)).toMatchObject({ count: 3, origins: [['h5', 'id5'], ['h5', 'id7']] }); // pushed at ≤ 700 ms: expired at 1750
    expect(b.after(0, 0).map(([s]: [number]) => s)).toEqual([8, 9, 10]);
    expect(b.length).toBe(3);
    // Expiries found by a push are reported apart from the overflow.
    const pushed = b.push(11, 'f11', 2000);
    expect(pushed.count).toBe(0);
    expect(pushed.expired).toMatchObject({ count: 3, origins: [['h5', 'id9']] });
  });
});

describe('rate limit bucket', () => {
  test('allows the burst, then refills at the sustained rate', () => {
    const bucket = { tokens: 3, refilledAt: 0 };
    const limit = { perSecond: 2, burst: 3 };
    expect([1, 2, 3, 4].map(() => takeToken(bucket, limit, 0))).toEqual([true, true, true, false]);
    expect(takeToken(bucket, limit, 499)).toBe(false);
    expect(takeToken(bucket, limit, 500)).toBe(true);
    expect(takeToken(bucket, limit, 100000)).toBe(true);
    expect(bucket.tokens).toBe(2); // refill stops at the burst
    expect(takeToken({ tokens: 0, refilledAt: 0 }, { perSecond: 0, burst: 0 }, 0)).toBe(true); // 0 = off
  });
});

describe('static path resolution', () => {
  test('stays inside the root', () => {
    const root = path.resolve('/srv/www');
    expect(resolveInside(root, '/a/b.html')).toBe(path.join(root, 'a', 'b.html'));
    expect(resolveInside(root, '/')).toBe(root);
    for (const evil of ['/../etc/passwd', '/a/../../etc', '/%2e%2e/x', '/..%2f..%2fx', '/a%5c..%5cb', '/%00', '/%E0%A4%A']) {
      expect(resolveInside(root, evil)).toBeNull();
    }
  });
});

describe('options', () => {
  test('flags override environment variables, PORT is honoured, bad values are refused', () => {
    expect(serveOptions(['--port', '9000', '--origins', 'https://a.com, https://b.com'], { PORT: '8080', HYBRID_KIT_PATH: '/ws' })).toMatchObject({
      port: 9000,
      path: '/ws',
      origins: ['https://a.com', 'https://b.com'],
    });
    expect(serveOptions([], { PORT: '8080', HYBRID_KIT_REDIS_URL: 'redis://r:6379', HYBRID_KIT_ALLOW_OPEN_PUBLIC: '1' })).toMatchObject({
      port: 8080,
      redisUrl: 'redis://r:6379',
      allowOpenPublic: true,
    });
    expect(serveOptions(['-p', '7', '--path=/x', '--allow-open-public', '-H', '0.0.0.0'], { HYBRID_KIT_ALLOW_OPEN_PUBLIC: 'false' })).toEqual({
      port: 7, path: '/x', allowOpenPublic: true, host: '0.0.0.0',
    });
    expect(serveOptions([], { HYBRID_KIT_ALLOW_OPEN_PUBLIC: 'off' })).toEqual({ allowOpenPublic: false });
    expect(() => serveOptions([], { HYBRID_KIT_ALLOW_OPEN_PUBLIC: 'maybe' })).toThrow(/must be true or false/);
    expect(() => serveOptions(['--rate', '-1'], {})).toThrow(/--rate/);
    expect(() => serveOptions(['--port'], {})).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(/--port/) }));
    expect(() => serveOptions(['--', '--port', '1'], {})).toThrow(/Unexpected argument/);
    expect(() => server.resolveOptions({ path: 'socket' })).toThrow(/path/);
    expect(() => server.resolveOptions({ maxFrameBytes: 0 })).toThrow(/maxFrameBytes/);
    expect(server.resolveOptions({}).maxFrameBytes).toBe(256 * 1024);
  });
});
