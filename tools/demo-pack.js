/**
 * Builds miniprogram_dev from tools/demo: the demo consumes the library through 构建npm output
 * (miniprogram_npm/miniprogram-hybrid-kit/...), never through relative imports into src.
 */
const fs = require('fs');
const path = require('path');
const config = require('./config');

async function packDemo() {
  fs.rmSync(config.devDist, { recursive: true, force: true });
  fs.cpSync(config.demoSrc, config.devDist, { recursive: true });
  // The demo depends on this checkout; node_modules/miniprogram-hybrid-kit points at it.
  const nodeModules = path.join(config.devDist, 'node_modules');
  fs.mkdirSync(nodeModules, { recursive: true });
  const pkgDir = path.join(nodeModules, 'miniprogram-hybrid-kit');
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.copyFileSync(path.join(config.root, 'package.json'), path.join(pkgDir, 'package.json'));
  fs.cpSync(config.mpDist, path.join(pkgDir, 'miniprogram_dist'), { recursive: true });
  const ci = require('miniprogram-ci');
  const result = await ci.packNpmManually({
    packageJsonPath: path.join(config.devDist, 'package.json'),
    miniprogramNpmDistDir: config.devDist,
  });
  fs.rmSync(nodeModules, { recursive: true, force: true });
  console.log(`demo built into ${path.relative(config.root, config.devDist)} (${JSON.stringify(result)})`);
}

module.exports = { packDemo };
