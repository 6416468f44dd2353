#!/usr/bin/env node
/**
 * 构建npm, the way a user gets the library: `npm pack` this package, install the tarball into a
 * throwaway mini program project, run miniprogram-ci's packNpmManually (offline, no appid), then
 * check miniprogram_npm/miniprogram-hybrid-kit: every component of miniprogram_dist is there and
 * nothing else is (no dist/h5, dist/node, src, test).
 *
 *   node tools/check-pack.js            (also `npm run check:pack`; run the build first)
 *
 * The functions are exported for test/package/ and tools/demo-pack.js.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const config = require('./config');
const { findComponents, listFiles } = require('./check-wxml');

const PKG_NAME = require('../package.json').name;
const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function npm(args, cwd) {
  return execFileSync(npmCommand, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` of the repository into `destDir` (scripts off: the build already ran). */
function packTarball(destDir, packageDir = config.root) {
  const [info] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', destDir], packageDir));
  return { tarball: path.join(destDir, info.filename), files: info.files.map((f) => f.path), size: info.size };
}

/** A throwaway mini program project in `projectDir` with only the tarball installed. */
function installTarball(projectDir, tarball) {
  fs.mkdirSync(projectDir, { recursive: true });
  fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name: 'hk-consumer', version: '1.0.0', private: true }, null, 2));
  fs.writeFileSync(
    path.join(projectDir, 'project.config.json'),
    JSON.stringify({ appid: 'touristappid', compileType: 'miniprogram', setting: { urlCheck: false } }, null, 2),
  );
  // As a user installs it (npm 7+ peer handling: the server's optional peers ws/jose/prom-client/sirv/redis
  // are not installed), without scripts, audit or lock file.
  npm(['install', tarball, '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline'], projectDir);
  return path.join(projectDir, 'node_modules', PKG_NAME);
}

/** DevTools' 构建npm: node_modules → miniprogram_npm in `projectDir`. */
async function buildNpm(projectDir) {
  const ci = require('miniprogram-ci');
  return ci.packNpmManually({
    packageJsonPath: path.join(projectDir, 'package.json'),
    miniprogramNpmDistDir: projectDir,
  });
}

/**
 * Budget for what the library adds to a user's code package (miniprogram_npm/<pkg> without the
 * .d.ts files, which are not uploaded). The main package is capped at 2 MB; leave most to the app.
 */
const MP_BUDGET_BYTES = 512 * 1024;

/** Paths that must never reach a mini program: browser and Node builds, sources, tests. */
const FOREIGN = [/^dist\//, /^src\//, /^test\//, /^bin\//, /^node_modules\//, /(^|\/)[^/]+(?<!\.d)\.ts$/, /\.map$/];

/**
 * Checks `<projectDir>/miniprogram_npm/<pkg>` against the built package `mpDist`: every component
 * present with its json/js/wxml, every file one of mpDist's, nothing foreign.
 */
function checkBuiltNpm(projectDir, mpDist = config.mpDist) {
  const npmDir = path.join(projectDir, 'miniprogram_npm', PKG_NAME);
  const expected = findComponents(mpDist);
  const problems = [];
  if (!expected.length) problems.push(`${mpDist} has no components: nothing to check`);
  const files = fs.existsSync(npmDir) ? listFiles(npmDir, '') : [];
  const shipped = new Set(listFiles(mpDist, ''));
  for (const component of expected) {
    for (const ext of ['.json', '.js', '.wxml']) {
      if (!files.includes(component + ext)) problems.push(`miniprogram_npm/${PKG_NAME}/${component}${ext} is missing`);
    }
  }
  for (const file of files) {
    if (FOREIGN.some((re) => re.test(file))) problems.push(`miniprogram_npm/${PKG_NAME}/${file} does not belong in a mini program`);
    else if (!shipped.has(file)) problems.push(`miniprogram_npm/${PKG_NAME}/${file} is not part of ${path.basename(mpDist)}`);
  }
  const bytes = files.filter((f) => !f.endsWith('.d.ts')).reduce((sum, file) => sum + fs.statSync(path.join(npmDir, file)).size, 0);
  if (bytes > MP_BUDGET_BYTES) problems.push(`miniprogram_npm/${PKG_NAME} is ${bytes} bytes; the budget is ${MP_BUDGET_BYTES}`);
  if (problems.length) {
    const err = new Error(`构建npm check failed:\n- ${problems.join('\n- ')}`);
    err.problems = problems;
    throw err;
  }
  return { npmDir, components: expected, files, bytes };
}

/** The whole check in a temp dir (removed afterwards unless `keep`). */
async function checkPack({ keep = false } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-pack-'));
  try {
    const pack = packTarball(work);
    const projectDir = path.join(work, 'consumer');
    installTarball(projectDir, pack.tarball);
    const ci = await buildNpm(projectDir);
    return { work, pack, ci, ...checkBuiltNpm(projectDir) };
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  checkPack().then(
    (r) => console.log(`check:pack ok: tarball ${r.pack.size} bytes; miniprogram_npm/${PKG_NAME}: ${r.files.length} files, ${r.bytes} bytes, ${r.components.length} components`),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}

module.exports = { PKG_NAME, MP_BUDGET_BYTES, packTarball, installTarball, buildNpm, checkBuiltNpm, checkPack };
