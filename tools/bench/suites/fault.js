/**
 * The fault run at full size ("delivered means delivered", docs/deployment.md): the same run as
 * test/server/fault.test.ts (tools/lib/fault-run.js: the real CLI SIGKILLed and restarted, every
 * connection cut through a TCP proxy, two SocketClients sending reliable messages to each other
 * and counting by id), with the count CI leaves out: 10,000 messages each way, 3 SIGKILLs and 10
 * cuts, memory mode and Redis mode (a throwaway redis-server). Figures are counts, not timings:
 * duplicates surfaced, silent losses (reported delivered, never surfaced) and messages missing at
 * the end, each with the goal 0. A run that did not get all its kills or cuts fails the suite.
 */
const goals = require('../lib/goals');
const { withRedis } = require('../lib/redis');
const { runFault } = require('../../lib/fault-run');

const FULL = { messages: 10_000, kills: 3, cuts: 10, timeoutMs: 240_000 };

/** One mode's run, checked for the faults it promised before its counts are believed. */
async function faultRun(p, redis, log) {
  const result = await runFault({ ...p, redis });
  log(`fault run: ${JSON.stringify(result)}`);
  if (result.kills !== p.kills || result.cuts !== p.cuts || result.cutConnections < p.cuts) {
    throw new Error(`the ${result.mode} run got ${result.kills}/${p.kills} kills and ${result.cuts}/${p.cuts} cuts (${result.cutConnections} connections)`);
  }
  return result;
}

function figures(p, r) {
  const what = `${r.mode} mode, ${p.messages.toLocaleString('en-US')} each way, ${r.kills} SIGKILLs, ${r.cuts} cuts (${r.cutConnections} connections)`;
  const note = `surfaced ${r.surfaced}, undelivered reported ${r.undeliveredReported}, app retries ${r.appRetries}, ${r.seconds} s`;
  const zero = goals.atMost(0);
  return [
    { figure: `fault run, ${what}: duplicates surfaced`, ours: r.duplicates, unit: 'messages', goal: zero, note },
    { figure: `fault run, ${what}: silent losses`, ours: r.silentLosses, unit: 'messages', goal: zero, note },
    { figure: `fault run, ${what}: missing at the end`, ours: r.missing, unit: 'messages', goal: zero, note },
  ];
}

/** Same size with --quick: the point of this suite is the count CI does not run. */
async function run({ log, sizes }) {
  const p = { ...FULL, ...sizes };
  const memory = await faultRun(p, undefined, log);
  const redis = await withRedis((url) => faultRun(p, { url, prefix: 'fault:' }, log));
  return [...figures(p, memory), ...figures(p, redis)];
}

module.exports = { run };
