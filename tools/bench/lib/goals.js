/**
 * Goals decide a figure's `met`. Each has the `text` shown in the table and the JSON, and a `test`
 * on the finished figure ({ ours, baseline, ratio }). `info` has no test: `met` stays null.
 */
/** 1,234.57 for large numbers; three significant digits below 1 (a ratio of 0.00123 stays readable). */
function fmt(n) {
  if (typeof n !== 'number') return String(n);
  if (n !== 0 && Math.abs(n) < 1) return String(Number(n.toPrecision(3)));
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const goal = (text, test) => ({ text, test });

module.exports = {
  /** ours <= value */
  atMost: (value, unit = '') => goal(`<= ${fmt(value)}${unit}`, (f) => f.ours <= value),
  /** ours < value */
  below: (value, unit = '') => goal(`< ${fmt(value)}${unit}`, (f) => f.ours < value),
  /** ours >= value */
  atLeast: (value, unit = '') => goal(`>= ${fmt(value)}${unit}`, (f) => f.ours >= value),
  /** ours / baseline >= ratio (higher is better, e.g. throughput) */
  ratioAtLeast: (ratio, what = 'baseline') => goal(`>= ${ratio}x ${what}`, (f) => f.ratio !== null && f.ratio >= ratio),
  /** ours / baseline <= ratio (lower is better, e.g. latency, attempts) */
  ratioAtMost: (ratio, what = 'baseline') => goal(`<= ${ratio}x ${what}`, (f) => f.ratio !== null && f.ratio <= ratio),
  /** Reported only. */
  info: (text = 'reported') => goal(text, null),
  fmt,
};
