#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --only relay,sizes] [-- --markdown] [-- --compare DIR [--rounds N]]`
 *
 * Runs every benchmark suite, prints one table (our number, the baseline measured in the same run,
 * their ratio, the goal and whether it is met) and writes the list of figures to
 * bench-results.json at the repository root. Servers and load generators run in child processes
 * on 127.0.0.1; every loop is bounded and every child is killed at the end.
 *
 * `--compare DIR`: another built checkout of this repository (e.g. a `git worktree` of main): the
 * socketio suite also runs our rig from DIR, in the same alternating slices, and reports this
 * tree against it (medians of its slices; `--rounds N` takes N of them per rig and mode). Only a
 * comparison within one run says whether a change helped on a noisy machine.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { finish, suiteFailed, table, markdown } = require('./lib/results');
const { killAll } = require('./lib/proc');

const SUITES = {
  sizes: () => require('./suites/sizes'),
  chat: () => require('./suites/chat'),
  stream: () => require('./suites/stream'),
  socket: () => require('./suites/socket'),
  relay: () => require('./suites/relay'),
  reconnect: () => require('./suites/reconnect'),
  decoders: () => require('./suites/decoders'),
  socketio: () => require('./suites/socketio'),
  fault: () => require('./suites/fault'),
};

function parseArgs(argv) {
  const args = { quick: false, only: Object.keys(SUITES), markdown: false, out: path.resolve(__dirname, '../../bench-results.json') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--quick') args.quick = true;
    else if (flag === '--markdown') args.markdown = true;
    else if (flag === '--only') args.only = value().split(',').filter(Boolean);
    else if (flag === '--out') args.out = path.resolve(value());
    else if (flag === '--compare') args.compare = builtCheckout(value());
    else if (flag === '--rounds') args.rounds = positiveInteger(flag, value());
    else throw new Error(`unknown option ${argv[i]} (known: --quick, --only a,b, --markdown, --out file, --compare dir, --rounds n)`);
  }
  const unknown = args.only.filter((name) => !SUITES[name]);
  if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')} (known: ${Object.keys(SUITES).join(', ')})`);
  return args;
}

function positiveInteger(flag, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a whole number above 0, not ${text}`);
  return n;
}

/** The root of another checkout whose bench hosts and builds are there (`--compare`). */
function builtCheckout(dir) {
  const root = path.resolve(dir || '');
  for (const rel of ['tools/bench/hosts/pair-load.js', 'tools/bench/hosts/server-host.js', 'miniprogram_dist/core/socket/index.js', 'dist/node/server/index.js']) {
    if (!fs.existsSync(path.join(root, rel))) throw new Error(`--compare ${dir}: ${rel} is missing there (a checkout of this repository, built with npm run build)`);
  }
  return root;
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (msg) => process.stderr.write(`  ${msg}\n`);
  console.log(`miniprogram-hybrid-kit benchmarks${args.quick ? ' (--quick)' : ''} on ${machine()}`);
  const results = [];
  let failed = false;
  for (const name of args.only) {
    const suiteStart = Date.now();
    process.stderr.write(`[${name}]\n`);
    try {
      const figures = await SUITES[name]().run({ quick: args.quick, log, compare: args.compare, rounds: args.rounds });
      results.push(...figures.map(finish));
    } catch (err) {
      failed = true;
      process.stderr.write(`  ${name} failed: ${(err && err.stack) || err}\n`);
      results.push(suiteFailed(name, err));
    }
    log(`${name} took ${((Date.now() - suiteStart) / 1000).toFixed(1)} s`);
  }
  fs.writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  console.log('\n' + table(results));
  if (args.markdown) console.log(`\nMachine: ${machine()}\n\n${markdown(results)}`);
  console.log(`\n${results.length} figures, ${results.filter((r) => r.met === true).length} goals met, ${results.filter((r) => r.met === false).length} missed, ${results.filter((r) => r.failed).length} suites failed; ${((Date.now() - started) / 1000).toFixed(1)} s; written to ${path.relative(process.cwd(), args.out) || args.out}`);
  return failed ? 1 : 0;
}

main()
  .then((code) => {
    killAll();
    process.exitCode = code;
  })
  .catch((err) => {
    console.error(err && err.message ? err.message : err);
    killAll();
    process.exitCode = 2;
  });
