/**
 * Sizes: the mini program package (miniprogram_dist) per piece and in total, counting the files
 * the mini program runtime loads (.js .json .wxml .wxss .wxs; not .d.ts), and the H5 SDK's
 * single-file build minified + gzipped (level 9).
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const goals = require('../lib/goals');
const { root, builtPath } = require('../adapters/ours');

const RUNTIME_FILE = /\.(js|json|wxml|wxss|wxs)$/;
const H5_SCRIPT = 'dist/h5/hybrid-kit.min.js';
const H5_LITE_SCRIPT = 'dist/h5/hybrid-kit.lite.min.js';
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
  const mpDist = builtPath('miniprogram_dist', 'mini program package');
  const seen = new Map();
  for (const piece of pieces(mpDist)) seen.set(piece.name, (seen.get(piece.name) || 0) + sizeOf(piece.file));
  for (const [name, bytes] of seen) figures.push({ figure: `size: ${name}`, ours: bytes, unit: 'B', goal: goals.info() });
  figures.push({ figure: 'size: miniprogram_dist total', ours: runtimeBytes(mpDist), unit: 'B', goal: goals.info() });
  figures.push(...(await h5Sizes()));
  return figures;
}

const gzipBytes = (data) => zlib.gzipSync(data, { level: 9 }).length;

/**
 * The H5 SDK: the lite single-file <script> build (navigate channel; held to the goal), the full
 * one (with the socket transport; reported), and what a bundler keeps from
 * `import { createBridge }` alone (navigate channel; the socket transport is tree-shaken).
 */
async function h5Sizes() {
  const liteFigure = 'size: H5 SDK lite <script> build min+gzip';
  const scriptFigure = 'size: H5 SDK full <script> build (with socket) min+gzip';
  const navigateFigure = 'size: H5 SDK navigate-only import min+gzip';
  const script = builtPath(H5_SCRIPT, 'H5 SDK');
  const minified = fs.readFileSync(script);
  const lite = fs.readFileSync(builtPath(H5_LITE_SCRIPT, 'H5 SDK lite'));
  const { build } = require('esbuild');
  const navigateOnly = await build({
    stdin: { contents: "export { createBridge } from './index.mjs';", resolveDir: path.dirname(script), loader: 'js' },
    bundle: true, minify: true, format: 'esm', write: false, target: 'es2017', logLevel: 'silent',
  });
  const navigateText = navigateOnly.outputFiles[0].contents;
  return [
    { figure: liteFigure, ours: gzipBytes(lite), unit: 'B', goal: H5_GOAL, note: `${lite.length} B minified; navigate channel only` },
    { figure: scriptFigure, ours: gzipBytes(minified), unit: 'B', goal: goals.info(), note: `${minified.length} B minified; includes the socket transport` },
    { figure: navigateFigure, ours: gzipBytes(navigateText), unit: 'B', goal: H5_GOAL, note: `${navigateText.length} B minified (esbuild, tree-shaken)` },
  ];
}

module.exports = { run };
