/**
 * The benchmark's own parts (tools/bench): how `ratio` and `met` are computed, the window count
 * of the reconnect storm, and that the baselines do what they claim over real `ws` sockets on
 * 127.0.0.1. Behaviour only: no timings (those are what `npm run bench` prints).
 */
import WebSocket from 'ws';

/* eslint-disable @typescript-eslint/no-var-requires */
const goals = require('../../tools/bench/lib/goals');
const { finish, suiteFailed, table, markdown } = require('../../tools/bench/lib/results');
const { maxInWindow, percentile, summarize } = require('../../tools/bench/lib/stats');
const { startMinimalForwarder, closeWss } = require('../../tools/bench/baselines/minimal-forwarder');
const { startExpressWsRelay } = require('../../tools/bench/baselines/express-ws-relay');
const { startEchoServer } = require('../../tools/bench/baselines/echo-server');

describe('results: ratio and met come from the numbers and the goal', () => {
  test('a ratio goal is met at or above the ratio, missed below', () => {
    const goal = goals.ratioAtLeast(0.8, 'minimal');
    expect(finish({ figure: 'a', ours: 80, baseline: 100, unit: 'msg/s', goal })).toEqual({
      figure: 'a', ours: 80, baseline: 100, ratio: 0.8, unit: 'msg/s', goal: '>= 0.8x minimal', met: true,
    });
    expect(finish({ figure: 'b', ours: 79, baseline: 100, unit: 'msg/s', goal }).met).toBe(false);
  });

  test('absolute goals ignore the baseline; info goals leave met null', () => {
    expect(finish({ figure: 'p99', ours: 12, baseline: 3, unit: 'ms', goal: goals.below(10, ' ms') })).toMatchObject({ ratio: 4, met: false, goal: '< 10 ms' });
    expect(finish({ figure: 'size', ours: 4095, unit: 'B', goal: goals.below(4096) })).toMatchObject({ baseline: null, ratio: null, met: true });
    expect(finish({ figure: 'x', ours: 1, baseline: 2, unit: 'x', goal: goals.info() })).toMatchObject({ ratio: 0.5, met: null });
  });

  test('tiny ratios keep significant digits instead of rounding to 0', () => {
    expect(finish({ figure: 'bytes', ours: 170, baseline: 1_289_189, unit: 'B', goal: goals.info() }).ratio).toBeCloseTo(0.0001319, 7);
  });

  test('a failed suite is one row with its error and no numbers, printed as FAILED', () => {
    const row = suiteFailed('relay', new Error('relay server not built (dist/node/server/index.js is missing; run npm run build)'));
    expect(row).toMatchObject({ figure: 'relay: suite failed', ours: null, ratio: null, met: null, failed: expect.stringContaining('relay server not built') });
    expect(table([row])).toContain('FAILED: relay server not built');
    expect(markdown([row]).split('\n')[2]).toMatch(/^\| relay: suite failed \| FAILED \|/);
  });
});

describe('our pieces: a missing build fails loudly', () => {
  const { builtPath, requireBuilt } = require('../../tools/bench/adapters/ours');

  test('builtPath and requireBuilt throw for a build that is not there, naming it and the fix', () => {
    expect(() => builtPath('dist/node/server/no-such-file.js', 'relay server')).toThrow('relay server not built (dist/node/server/no-such-file.js is missing; run npm run build)');
    expect(() => requireBuilt('miniprogram_dist/no-such-module.js', 'socket client')).toThrow(/socket client not built/);
    expect(builtPath('package.json', 'package manifest')).toMatch(/package\.json$/);
  });
});

describe('stats', () => {
  test('maxInWindow counts the busiest sliding window, not fixed buckets', () => {
    // 90, 120 and 170 fall in one 100 ms window although they straddle the 100 boundary.
    expect(maxInWindow([0, 90, 120, 170, 400], 100)).toBe(3);
    expect(maxInWindow([], 100)).toBe(0);
    expect(maxInWindow(Array.from({ length: 50 }, () => 7), 100)).toBe(50);
  });

  test('nearest-rank percentiles', () => {
    const sorted = Float64Array.from(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
  });
});

/** Opens a client and collects the text frames it receives. */
function client(url: string): Promise<{ ws: WebSocket; texts: string[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const texts: string[] = [];
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(data.toString());
    });
    ws.once('open', () => resolve({ ws, texts, closed }));
    ws.once('error', reject);
  });
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each([
  ['minimal forwarder', startMinimalForwarder, (sent: string) => sent],
  ['old-design express-ws relay', startExpressWsRelay, (sent: string) => JSON.stringify(JSON.parse(sent))],
])('%s baseline', (_name, start, expected) => {
  let server: { port: number; close(): Promise<void> };
  beforeEach(async () => {
    server = await start({ port: 0 });
  });
  afterEach(() => server.close());

  test('forwards a frame to the other env of the same token only', async () => {
    const base = `ws://127.0.0.1:${server.port}/socket`;
    const h5 = await client(`${base}?token=a&env=h5`);
    const mp = await client(`${base}?token=a&env=miniapp`);
    const other = await client(`${base}?token=b&env=miniapp`);
    const sent = '{ "type": "message", "data": { "n": 1, "text": "你好" } }';
    h5.ws.send(sent);
    await until(() => mp.texts.length === 1, 'the peer received the frame');
    expect(mp.texts).toEqual([expected(sent)]);
    expect(h5.texts).toEqual([]);
    expect(other.texts).toEqual([]);
    for (const c of [h5, mp, other]) c.ws.close();
    await Promise.all([h5.closed, mp.closed, other.closed]);
  });

  test('a newer connection of the same token + env replaces the older one', async () => {
    const base = `ws://127.0.0.1:${server.port}/socket`;
    const older = await client(`${base}?token=a&env=h5`);
    const newer = await client(`${base}?token=a&env=h5`);
    const mp = await client(`${base}?token=a&env=miniapp`);
    await older.closed;
    mp.ws.send('{"type":"message","data":2}');
    await until(() => newer.texts.length === 1, 'the newer connection received the frame');
    expect(older.texts).toEqual([]);
    newer.ws.close();
    mp.ws.close();
    await Promise.all([newer.closed, mp.closed]);
  });
});

test('echo server with acks: acks a reliable message and echoes it under a new id', async () => {
  const server = await startEchoServer({ port: 0, acks: true });
  const c = await client(`ws://127.0.0.1:${server.port}/`);
  c.ws.send(JSON.stringify({ type: 'message', id: 'm1', event: 'bench', data: { n: 1 } }));
  c.ws.send(JSON.stringify({ type: 'message', event: 'bench', data: { n: 2 } }));
  c.ws.send(JSON.stringify({ type: 'ack', id: 'em1' }));
  await until(() => c.texts.length === 3, 'ack, echo and plain echo');
  expect(c.texts.map((t) => JSON.parse(t))).toEqual([
    { type: 'ack', id: 'm1' },
    { type: 'message', id: 'em1', event: 'bench', data: { n: 1 } },
    { type: 'message', event: 'bench', data: { n: 2 } },
  ]);
  const closed = c.closed;
  await closeWss(server.wss);
  expect(await closed).toBe(1001);
});

describe('--compare DIR: another checkout measured in the same run', () => {
  const { spawnSync } = require('child_process');
  const path = require('path');
  const root = path.resolve(__dirname, '../..');

  test('a directory that is not a built checkout, or rounds that are not a count, are refused, saying why', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'tools/bench/run.js'), '--only', 'socketio', '--compare', path.join(root, 'docs')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--compare');
    expect(run.stderr).toContain('tools/bench/hosts/pair-load.js is missing there');
    const rounds = spawnSync(process.execPath, [path.join(root, 'tools/bench/run.js'), '--only', 'socketio', '--compare', root, '--rounds', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(rounds.status).toBe(2);
    expect(rounds.stderr).toContain('--rounds takes a whole number above 0, not 0');
  });

  test('the socketio suite runs the compared rig in the same slices and reports the medians of both against each other', async () => {
    const { run } = require('../../tools/bench/suites/socketio');
    const logged: string[] = [];
    const sizes = { pairs: 2, window: 2, durationMs: 150, warmupMs: 50, steadyMs: 150, rounds: 2, idle: 4 };
    const figures: Array<{ figure: string; ours: number; baseline: number; goal: { text: string } }> = await run({ quick: true, log: (m: string) => logged.push(m), sizes, compare: root });
    const compared = figures.filter((f) => f.figure.startsWith('vs --compare:'));
    expect(compared.map((f) => f.figure.replace(/ at \d+ msg\/s/, '').replace(', median of 2 rounds', ''))).toEqual([
      'vs --compare: msg/s fire and forget, 2 pairs', 'vs --compare: p99 fire and forget', 'vs --compare: client CPU per message, fire and forget',
      'vs --compare: msg/s acked by the server, 2 pairs', 'vs --compare: p99 acked by the server', 'vs --compare: client CPU per message, acked by the server',
      'vs --compare: msg/s acked by the peer, 2 pairs', 'vs --compare: p99 acked by the peer', 'vs --compare: client CPU per message, acked by the peer',
    ]);
    for (const f of compared) {
      expect(f.ours).toBeGreaterThan(0);
      expect(f.baseline).toBeGreaterThan(0);
      expect(f.goal.text).toBe('reported (--compare)');
    }
    // The compared rig's own lines, beside ours and socket.io's.
    expect(logged.filter((l) => /^compared (fire|server|peer): \d+ msg\/s/.test(l))).toHaveLength(3);
    expect(logged.filter((l) => /^ours (fire|server|peer): \d+ msg\/s/.test(l))).toHaveLength(3);
  }, 120_000);
});
