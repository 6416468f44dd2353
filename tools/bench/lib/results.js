/**
 * Finished figures: ratio = ours / baseline, `met` from the goal, and the readable table.
 * A figure is { figure, ours, baseline?, unit, goal, note? }; a suite that failed is one row
 * { figure, failed } (suiteFailed), printed as FAILED with the error.
 */
const { fmt } = require('./goals');

function round(n, digits = 3) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  const f = Math.pow(10, digits);
  return Math.round(n * f) / f;
}

function finish(raw) {
  const baseline = typeof raw.baseline === 'number' ? round(raw.baseline) : null;
  const ours = typeof raw.ours === 'number' ? round(raw.ours) : null;
  // Four significant digits: a ratio of 0.00013 must not print as 0.
  const ratio = ours !== null && baseline ? Number((raw.ours / raw.baseline).toPrecision(4)) : null;
  const out = { figure: raw.figure, ours, baseline, ratio, unit: raw.unit, goal: raw.goal.text, met: null };
  if (ours !== null && raw.goal.test) out.met = Boolean(raw.goal.test({ ours: raw.ours, baseline: raw.baseline, ratio }));
  if (raw.note) out.note = raw.note;
  return out;
}

/** The row of a suite that threw: no numbers, the error instead (the run exits non-zero). */
function suiteFailed(name, err) {
  return { figure: `${name}: suite failed`, ours: null, baseline: null, ratio: null, unit: '-', goal: '-', met: null, failed: String((err && err.message) || err) };
}

function cell(v) {
  if (v === null || v === undefined) return '-';
  return typeof v === 'number' ? fmt(v) : String(v);
}

function table(results) {
  const head = ['figure', 'ours', 'baseline', 'ratio', 'unit', 'goal', 'met'];
  const rows = results.map((r) => [
    r.figure,
    r.failed ? `FAILED: ${r.failed}` : cell(r.ours),
    cell(r.baseline),
    r.ratio === null ? '-' : `${cell(r.ratio)}x`,
    r.unit,
    r.goal,
    r.met === null ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cols) => cols.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The README / docs table: markdown, one row per measured figure. */
function markdown(results) {
  const rows = results.map((r) =>
    `| ${r.figure} | ${r.failed ? 'FAILED' : cell(r.ours)} | ${cell(r.baseline)} | ${r.ratio === null ? '-' : cell(r.ratio) + 'x'} | ${r.unit} | ${r.goal} | ${r.met === null ? '-' : r.met ? 'yes' : 'no'} |`,
  );
  return ['| figure | ours | baseline | ratio | unit | goal | met |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

module.exports = { finish, suiteFailed, table, markdown, round };
