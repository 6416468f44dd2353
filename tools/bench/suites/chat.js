/**
 * chat-panel figures under miniprogram-simulate (BUILT component from miniprogram_dist), against
 * the old chat page's component that sends the whole list on every message (baselines/chat-whole-list):
 *  - setData bytes per appended message at 10, 1,000 and 10,000 messages (mean over 20 appends, 5 with --quick;
 *    each the sum of the calls it makes); goal: at most 1.5x the message's own JSON, the same at
 *    every size;
 *  - nodes rendered with 10,000 messages; goal: under 1,000;
 *  - setData calls while 200 messages arrive back to back; goal: at most 20.
 */
const path = require('path');
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');

const MP_HOST = path.join(__dirname, '../hosts/mp-host.js');
const SIZES = [10, 1000, 10000];
const SETDATA_CAP = 1024 * 1024;

const n = (v) => v.toLocaleString('en-US');

async function measure(spawn, kind, appendsPerSize) {
  const host = spawn(MP_HOST, { quiet: true, timeoutMs: 180_000 });
  const appends = [];
  for (const size of SIZES) appends.push(await host.request('appendCost', { kind, size, appends: appendsPerSize }));
  const burst = await host.request('burst', { kind, count: 200 });
  return { appends, burst };
}

function appendNote(a) {
  const parts = [`${a.calls} setData calls for ${a.appends} appends, max ${n(a.maxBytes)} B, message ${Math.round(a.messageBytes)} B`];
  if (a.maxBytes > SETDATA_CAP) parts.push('over the 1 MB setData cap');
  if (a.renderError) parts.push(`render: ${a.renderError.split(',')[0]}`);
  return parts.join('; ');
}

async function run({ quick, log }) {
  const appendsPerSize = quick ? 5 : 20;
  const baseline = await isolated((spawn) => measure(spawn, 'baseline', appendsPerSize));
  const ours = await isolated((spawn) => measure(spawn, 'ours', appendsPerSize));
  log(`old whole-list page: ${baseline.appends.map((a) => `${n(a.size)} msgs ${n(a.meanBytes)} B`).join(', ')}; burst ${baseline.burst.calls} calls`);
  log(`chat-panel: ${ours.appends.map((a) => `${n(a.size)} msgs ${n(a.meanBytes)} B`).join(', ')}; burst ${ours.burst.calls} calls`);

  const figures = [];
  SIZES.forEach((size, i) => {
    const figure = `chat-panel: setData bytes per append (mean), ${n(size)} msgs`;
    const base = baseline.appends[i];
    // Both append the same message; its own JSON size sets the goal.
    const goal = goals.atMost(Math.floor(1.5 * base.messageBytes), ' B (1.5x message JSON)');
    const own = ours.appends[i];
    figures.push({ figure, ours: own.meanBytes, baseline: base.meanBytes, unit: 'B', goal, note: `ours: ${appendNote(own)}; baseline: ${appendNote(base)}` });
  });
  // Bytes per byte of message JSON, so longer ids in a longer conversation do not count as growth.
  const perMessageByte = (a) => a.meanBytes / a.messageBytes;
  const first = (r) => perMessageByte(r.appends[0]);
  const last = (r) => perMessageByte(r.appends[SIZES.length - 1]);
  const growthFigure = `chat-panel: append cost growth ${n(SIZES[0])} -> ${n(SIZES[SIZES.length - 1])} msgs`;
  const growthGoal = goals.atMost(1.1, 'x (constant)');
  figures.push({ figure: growthFigure, ours: last(ours) / first(ours), baseline: last(baseline) / first(baseline), unit: 'x', goal: growthGoal });

  const nodesFigure = `chat-panel: rendered nodes, ${n(SIZES[SIZES.length - 1])} msgs`;
  const baseNodes = baseline.appends[SIZES.length - 1];
  const nodesNote = baseNodes.nodes === null ? `baseline cannot render it (${baseNodes.renderError}); it renders ${n(baseline.appends[1].nodes)} nodes at ${n(SIZES[1])} msgs` : undefined;
  const nodesGoal = goals.below(1000);
  figures.push({ figure: nodesFigure, ours: ours.appends[SIZES.length - 1].nodes, baseline: baseNodes.nodes, unit: 'nodes', goal: nodesGoal, note: nodesNote });

  const burstFigure = 'chat-panel: setData calls, 200-message burst';
  const burstGoal = goals.atMost(20);
  figures.push({ figure: burstFigure, ours: ours.burst.calls, baseline: baseline.burst.calls, unit: 'calls', goal: burstGoal, note: `bytes: ours ${n(ours.burst.bytes)}, baseline ${n(baseline.burst.bytes)}` });
  return figures;
}

module.exports = { run };
