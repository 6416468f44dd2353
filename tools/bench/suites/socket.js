/**
 * Socket client throughput in Node: echoes per second through our client (acks off, then on)
 * against a bare `ws` client, one after the other on the same local echo server (its own
 * process). Closed loop with a fixed number of messages in flight.
 */
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');
const { startServerHost, startClientLoad } = require('../lib/hosts');

const FULL = { messages: 40_000, window: 100, rounds: 5 };
const QUICK = { messages: 10_000, window: 100, rounds: 3 };

/**
 * One warm-up run of each client (JIT, sockets), then `rounds` rounds taking turns; each client
 * keeps its best round, the one least disturbed by other work on the machine.
 */
async function bestOfRounds(rounds, runners, warmupMessages) {
  const best = {};
  for (const [name, runOnce] of Object.entries(runners)) {
    await runOnce(warmupMessages);
    best[name] = 0;
  }
  for (let i = 0; i < rounds; i++) {
    for (const [name, runOnce] of Object.entries(runners)) best[name] = Math.max(best[name], (await runOnce()).perSecond);
  }
  return best;
}

async function run({ quick, log }) {
  const p = quick ? QUICK : FULL;
  const offFigure = 'socket client: echo msg/s, acks off';
  const onFigure = 'socket client: echo msg/s, acks on';
  const result = await isolated(async (spawn) => {
    const { url } = await startServerHost(spawn, 'echo', { acks: true });
    const load = startClientLoad(spawn);
    const params = (messages = p.messages) => ({ url: url.replace(/\/socket$/, '/'), messages, window: p.window });
    const { bare, off, on } = await bestOfRounds(
      p.rounds,
      {
        bare: (m) => load.request('bareThroughput', params(m)),
        off: (m) => load.request('oursThroughput', { ...params(m), reliable: false }),
        on: (m) => load.request('oursThroughput', { ...params(m), reliable: true }),
      },
      Math.ceil(p.messages / 5),
    );
    log(`bare ws ${Math.round(bare)} msg/s, ours acks off ${Math.round(off)}, acks on ${Math.round(on)} (${p.messages} messages, ${p.window} in flight)`);
    return { bare, off, on };
  });
  const offGoal = goals.ratioAtLeast(0.9, 'bare ws');
  return [
    { figure: offFigure, ours: result.off, baseline: result.bare, unit: 'msg/s', goal: offGoal },
    { figure: onFigure, ours: result.on, baseline: result.bare, unit: 'msg/s', goal: goals.info('vs bare ws') },
  ];
}

module.exports = { run };
