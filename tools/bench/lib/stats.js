/** Percentiles over latency samples (nearest-rank on a sorted copy). */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : null };
}

/** Largest number of timestamps (ms) falling in any window of `windowMs` (sliding, not bucketed). */
function maxInWindow(times, windowMs) {
  const sorted = Float64Array.from(times).sort();
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

module.exports = { percentile, summarize, maxInWindow };
