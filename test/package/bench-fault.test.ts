/**
 * The bench's fault suite (tools/bench/suites/fault.js) runs the fault test's own machinery
 * (tools/lib/fault-run.js) in both modes and turns its counts into figures with the goal 0.
 * Run here at a small size; `npm run bench -- --only fault` runs 10,000 each way.
 */
/* eslint-disable @typescript-eslint/no-var-requires */
const faultSuite = require('../../tools/bench/suites/fault');
const { finish } = require('../../tools/bench/lib/results');

jest.setTimeout(90000);

test('both modes, every fault done, counts as figures: 0 duplicates, 0 silent losses, 0 missing, goals met', async () => {
  const lines: string[] = [];
  const figures = (await faultSuite.run({ quick: true, log: (l: string) => lines.push(l), sizes: { messages: 300, kills: 1, cuts: 2, timeoutMs: 60000 } })).map(finish);
  expect(figures.map((f: { figure: string }) => f.figure)).toEqual([
    expect.stringMatching(/^fault run, memory mode, 300 each way, 1 SIGKILLs, 2 cuts \(\d+ connections\): duplicates surfaced$/),
    expect.stringMatching(/^fault run, memory mode, .*: silent losses$/),
    expect.stringMatching(/^fault run, memory mode, .*: missing at the end$/),
    expect.stringMatching(/^fault run, redis mode, 300 each way, 1 SIGKILLs, 2 cuts \(\d+ connections\): duplicates surfaced$/),
    expect.stringMatching(/^fault run, redis mode, .*: silent losses$/),
    expect.stringMatching(/^fault run, redis mode, .*: missing at the end$/),
  ]);
  for (const f of figures) expect(f).toMatchObject({ ours: 0, goal: '<= 0', met: true, note: expect.stringMatching(/^surfaced 600,/) });
  expect(lines.map((l) => JSON.parse(l.replace(/^fault run: /, '')).mode)).toEqual(['memory', 'redis']);
});
