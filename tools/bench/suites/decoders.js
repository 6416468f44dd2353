/**
 * Decoders against their worst input: the frame, cmd and hash decoders of the built core, each fed
 * (a) a 10 MB input (refused by its size limit before any work: goal <= 10 ms) and (b) the most
 * expensive input still within its limit. The baseline, measured in the same process, is JSON.parse
 * of a valid JSON text of the same length: what reading an input of that size costs at all.
 */
const { requireBuilt } = require('../adapters/ours');
const goals = require('../lib/goals');

const TEN_MB = 10 * 1024 * 1024;

/** Median ms of `fn` over `runs` runs (after one warm-up run). */
function medianMs(fn, runs) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** A valid JSON text of exactly `length` characters (a string literal). */
function validJsonOfLength(length) {
  return '"' + 'x'.repeat(Math.max(0, length - 2)) + '"';
}

/** `unit` repeated to exactly `length` characters. */
function filled(unit, length) {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

function swallow(fn) {
  return () => {
    try {
      fn();
    } catch {
      // refusals are the point here
    }
  };
}

function cases() {
  const { decodeFrame } = requireBuilt('miniprogram_dist/core/frames.js', 'core frames');
  const { decodeCmd } = requireBuilt('miniprogram_dist/core/navigate.js', 'core navigate');
  const { decodeHash } = requireBuilt('miniprogram_dist/core/hash.js', 'core hash');
  const { LIMITS } = requireBuilt('miniprogram_dist/core/limits.js', 'core limits');
  // The largest frame is counted in UTF-8 bytes; deep nesting is what costs most below it.
  const frameWorst = '{"type":"message","data":' + filled('[', LIMITS.maxFrameBytes - 26) + '}';
  return [
    { name: 'frame', decode: swallow(() => decodeFrame(frameWorst)), input: frameWorst, what: 'nesting up to maxFrameBytes' },
    { name: 'frame', decode: null, big: (text) => swallow(() => decodeFrame(text)), unit: '%E4' },
    // Inside the cmd limit: broken escapes everywhere (decodeURIComponent fails, then the salvage).
    { name: 'cmd', decode: () => decodeCmd(filled('%E4', LIMITS.maxCmdLength * 3)), input: filled('%E4', LIMITS.maxCmdLength * 3), what: "'%E4' up to 3x maxCmdLength" },
    { name: 'cmd', decode: null, big: (text) => () => decodeCmd(text), unit: '%E4' },
    // Inside the hash limit: as many pairs as fit, each a value that looks like JSON and is not.
    { name: 'hash', decode: () => decodeHash(filled('a={&', LIMITS.maxHashLength)), input: filled('a={&', LIMITS.maxHashLength), what: "'a={&' up to maxHashLength" },
    { name: 'hash', decode: null, big: (text) => () => decodeHash(text), unit: 'a=x&' },
  ];
}

async function run({ quick, log }) {
  const runs = quick ? 5 : 21;
  const figures = [];
  const bigBaselineText = validJsonOfLength(TEN_MB);
  const bigBaseline = medianMs(() => JSON.parse(bigBaselineText), quick ? 3 : 7);
  for (const c of cases()) {
    if (c.decode) {
      const baselineText = validJsonOfLength(c.input.length);
      figures.push({
        figure: `decode worst case: ${c.name} (${c.what}, ${c.input.length} chars)`,
        ours: medianMs(c.decode, runs),
        baseline: medianMs(() => JSON.parse(baselineText), runs),
        unit: 'ms',
        goal: goals.info('reported (baseline: JSON.parse, same length)'),
      });
    } else {
      const text = filled(c.unit, TEN_MB);
      figures.push({
        figure: `decode 10 MB refused: ${c.name}`,
        ours: medianMs(c.big(text), runs),
        baseline: bigBaseline,
        unit: 'ms',
        goal: goals.atMost(10, ' ms'),
        note: 'baseline: JSON.parse of 10 MB of valid JSON',
      });
    }
    log(figures[figures.length - 1].figure);
  }
  return figures;
}

module.exports = { run };
