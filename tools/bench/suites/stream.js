/**
 * Streamed replies (issue 17), each figure against its baseline in the same run:
 *  - setData bytes and calls for a 20,000-character reply streamed in 1,000 pieces (one flush per
 *    10 pieces, the panel's 100 ms interval at a piece per 10 ms): chat-panel appendDelta vs a
 *    whole-content update per flush; goal ≤ 3x the reply's UTF-8 size, ≤ 20 calls per second;
 *  - the same for a Markdown reply (only the last block re-sent);
 *  - Markdown parse time per piece at 20,000 characters: our incremental document (only the open
 *    tail is lexed) vs re-lexing the whole text so far with marked on every piece;
 *  - mini program package bytes that Markdown adds (the bundled lexer and our block builder) vs
 *    markdown-it bundled the same way (esbuild, minified, ES2017).
 */
const fs = require('fs');
const path = require('path');
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');
const { utf8ByteLength } = require('../lib/bytes');
const { root, builtPath } = require('../adapters/ours');

const HOST = path.join(__dirname, '../hosts/stream-host.js');
const PIECES = 1000;
const PIECES_PER_FLUSH = 10; // 100 ms flushes at a piece per 10 ms
const SECONDS = (PIECES * 10) / 1000;
const n = (v) => Math.round(v).toLocaleString('en-US');

/** A 20,000-character assistant reply: paragraphs, lists, code, mixed ASCII and CJK. */
function reply(chars = 20000) {
  const block = (i) =>
    i % 6 === 5
      ? '```js\nconst total = items.reduce((sum, x) => sum + x.price, 0); // ' + i + '\n```'
      : i % 6 === 3
        ? `- item **${i}** with \`code\`\n- 第 ${i} 项：价格与库存\n- [link](https://example.com/${i})`
        : `Paragraph ${i}: some *emphasis*, **strong** text and a [link](https://example.com/${i}) — 这里是第 ${i} 段的中文内容，用来模拟真实的回答。`;
  let text = '';
  for (let i = 0; text.length < chars; i++) text += block(i) + '\n\n';
  return text.slice(0, chars);
}

async function setDataFigures(text, type) {
  const args = { text, pieces: PIECES, piecesPerFlush: PIECES_PER_FLUSH, type };
  const base = await isolated((spawn) => spawn(HOST, { quiet: true, timeoutMs: 300_000 }).request('streamCost', { ...args, kind: 'baseline' }));
  const ours = await isolated((spawn) => spawn(HOST, { quiet: true, timeoutMs: 300_000 }).request('streamCost', { ...args, kind: 'ours' }));
  const replyBytes = utf8ByteLength(text);
  const label = `stream ${type}: 20,000 chars in 1,000 pieces`;
  const note = (r) => `${r.calls} calls, largest ${n(r.maxBytes)} B${r.shown ? '' : ', TEXT WRONG'}`;
  return [
    {
      figure: `${label}, setData bytes`,
      ours: ours.bytes,
      baseline: base.bytes,
      unit: 'B',
      goal: goals.atMost(3 * replyBytes, ` B (3x the reply's ${n(replyBytes)} B)`),
      note: `ours ${note(ours)}; whole-content baseline ${note(base)}`,
    },
    { figure: `${label}, setData calls per second`, ours: ours.calls / SECONDS, baseline: base.calls / SECONDS, unit: 'calls/s', goal: goals.atMost(20) },
  ];
}

/** Mean ms per piece: append each piece and bring the view up to date. */
function parsePerPiece(text) {
  const { MarkdownDoc } = require(builtPath('miniprogram_dist/components/chat-panel/markdown/doc.js', 'chat-panel markdown'));
  const { lexBlocks } = require(path.join(root, 'miniprogram_dist/components/chat-panel/markdown/lexer.js'));
  const size = Math.ceil(text.length / PIECES);
  const pieces = Array.from({ length: PIECES }, (_, i) => text.slice(i * size, (i + 1) * size));
  // One warm-up pass (JIT), then the best of three: the least disturbed by other processes.
  const time = (fn) => {
    fn();
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = process.hrtime.bigint();
      fn();
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6 / PIECES);
    }
    return best;
  };
  const ours = time(() => {
    const doc = new MarkdownDoc('');
    for (const p of pieces) {
      doc.append(p);
      doc.take();
    }
  });
  const baseline = time(() => {
    let soFar = '';
    for (const p of pieces) lexBlocks((soFar += p));
  });
  return { ours, baseline };
}

function bundleBytes(code) {
  const esbuild = require('esbuild');
  const out = esbuild.buildSync({ stdin: { contents: code, resolveDir: root }, bundle: true, minify: true, format: 'cjs', platform: 'neutral', mainFields: ['module', 'main'], target: 'es2017', write: false });
  return out.outputFiles[0].contents.length;
}

function markdownPackageBytes() {
  const dir = path.dirname(builtPath('miniprogram_dist/components/chat-panel/markdown/index.js', 'chat-panel markdown'));
  const ours = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const template = fs.statSync(path.join(dir, '..', 'markdown.wxml')).size;
  return { ours, template, markdownIt: bundleBytes("module.exports = require('markdown-it');") };
}

async function run({ log }) {
  const text = reply();
  const figures = [...(await setDataFigures(text, 'text')), ...(await setDataFigures(text, 'markdown'))];
  const parse = parsePerPiece(text);
  log(`markdown parse per piece: ours ${parse.ours.toFixed(3)} ms, whole re-lex ${parse.baseline.toFixed(3)} ms`);
  figures.push({ figure: 'stream markdown: parse ms per piece at 20,000 chars', ours: parse.ours, baseline: parse.baseline, unit: 'ms', goal: goals.atMost(parse.baseline / 10, ' ms (10x under re-lexing)') });
  const size = markdownPackageBytes();
  figures.push({
    figure: 'markdown: package bytes added (opt-in)',
    ours: size.ours,
    baseline: size.markdownIt,
    unit: 'B',
    goal: goals.atMost(size.markdownIt, ' B (markdown-it alone)'),
    note: `bundled marked lexer + our block builder; markdown.wxml in chat-panel ${n(size.template)} B either way; baseline: markdown-it bundled with esbuild`,
  });
  return figures;
}

module.exports = { run, reply };
