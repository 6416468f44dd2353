/**
 * Reconnect storm: N clients connected to a relay; the relay process is killed (every connection
 * drops at once, as in a crash or a redeploy) and a new one starts on the same port after a pause. Measured in the client process: time until every
 * client is open again, and the largest number of connection attempts in any 100 ms window.
 * Ours: our socket client (full-jitter backoff). Baseline: the old express-ws relay's client, which
 * reconnects after a fixed 3 s. The relay is ours.
 */
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');
const { startServerHost, startClientLoad } = require('../lib/hosts');
const { sleep } = require('../lib/worker');

const FULL = { clients: 1000, downMs: 300 };
const QUICK = { clients: 1000, downMs: 300 };

async function storm(spawn, serverKind, policy, p) {
  const { host, port, url } = await startServerHost(spawn, serverKind);
  const load = startClientLoad(spawn);
  await load.request('stormOpen', { url, clients: p.clients, policy });
  await sleep(200);
  const restartedAt = Date.now();
  await host.kill();
  await sleep(p.downMs);
  await startServerHost(spawn, serverKind, { port });
  const report = await load.request('stormReport', { restartedAt, timeoutMs: 60_000 }, 90_000);
  await load.request('stormClose');
  return report;
}

async function run({ quick, log }) {
  const p = quick ? QUICK : FULL;
  const n = p.clients.toLocaleString('en-US');
  const windowFigure = `reconnect storm: max attempts per 100 ms, ${n} clients`;
  const backFigure = `reconnect storm: time until all ${n} back`;
  const windowGoal = goals.atMost(p.clients / 5, ' (a fifth)');
  const ours = await isolated((spawn) => storm(spawn, 'ours', 'ours', p));
  const baseline = await isolated((spawn) => storm(spawn, 'ours', 'fixed', p));
  log(`our relay: ours ${JSON.stringify(ours)}; old client, fixed 3 s ${JSON.stringify(baseline)}`);
  const note = `server: our relay; attempts ${ours.attempts} (baseline ${baseline.attempts})`;
  return [
    { figure: windowFigure, ours: ours.maxAttemptsPer100ms, baseline: baseline.maxAttemptsPer100ms, unit: 'attempts', goal: windowGoal, note },
    { figure: backFigure, ours: ours.allBackMs, baseline: baseline.allBackMs, unit: 'ms', goal: goals.info('vs fixed 3 s'), note },
  ];
}

module.exports = { run };
