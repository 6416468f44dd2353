/**
 * Sizes: the mini program package (miniprogram_dist) per piece and in total, counting the files
 * the mini program runtime loads (.js .json .wxml .wxss .wxs; not .d.ts), and the H5 SDK's
 * single-file build minified + gzipped (level 9).
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const goals = require('../lib/goals');
const { skipped } = require('../lib/results');
const { root } = require('../adapters/ours');

const RUNTIME_FILE = /\.(js|json|wxml|wxss|wxs)$/;
const H5_SCRIPT = 'dist/h5/hybrid-kit.min.js';
const H5_GOAL = goals.below(4096, ' B');

function runtimeBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += runtimeBytes(file);
    else if (RUNTIME_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) total += fs.statSync(file).size;
  }
  return total;
}

/** The package's pieces: each component, each behavior, the core, the entry files. */
function pieces(mpDist) {
  const list = [];
  for (const group of ['components', 'behaviors']) {
    const dir = path.join(mpDist, group);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const name = entry.isDirectory() ? entry.name : entry.name.replace(/\.[^.]+$/, '');
      if (entry.isDirectory() || RUNTIME_FILE.test(entry.name)) list.push({ name: `${group}/${name}`, file: path.join(dir, entry.name) });
    }
  }
  if (fs.existsSync(path.join(mpDist, 'core'))) list.push({ name: 'core', file: path.join(mpDist, 'core') });
  return list;
}

function sizeOf(file) {
  return fs.statSync(file).isDirectory() ? runtimeBytes(file) : fs.statSync(file).size;
}

async function run() {
  const figures = [];
  const mpDist = path.join(root, 'miniprogram_dist');
  if (!fs.existsSync(mpDist)) {
    figures.push(skipped('size: miniprogram_dist total', 'B', goals.info(), 'not built (npx gulp build)'));
  } else {
    const seen = new Map();
    for (const piece of pieces(mpDist)) seen.set(piece.name, (seen.get(piece.name) || 0) + sizeOf(piece.file));
    for (const [name, bytes] of seen) figures.push({ figure: `size: ${name}`, ours: bytes, unit: 'B', goal: goals.info() });
    figures.push({ figure: 'size: miniprogram_dist total', ours: runtimeBytes(mpDist), unit: 'B', goal: goals.info() });
  }
  const script = path.join(root, H5_SCRIPT);
  if (!fs.existsSync(script)) {
    figures.push(skipped('size: H5 SDK min+gzip', 'B', H5_GOAL, `H5 SDK not built (${H5_SCRIPT})`));
  } else {
    const minified = fs.readFileSync(script);
    const gzipped = zlib.gzipSync(minified, { level: 9 }).length;
    figures.push({ figure: 'size: H5 SDK min+gzip', ours: gzipped, unit: 'B', goal: H5_GOAL, note: `${minified.length} B minified` });
  }
  return figures;
}

module.exports = { run };
