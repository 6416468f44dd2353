#!/usr/bin/env node
/**
 * Builds miniprogram_dev from tools/demo: the demo consumes the library through 构建npm output
 * (miniprogram_npm/miniprogram-hybrid-kit/...), never through relative imports into src.
 *
 * The library is placed in the demo's node_modules as an installed package would be (its
 * package.json plus the "miniprogram" folder), miniprogram-ci's packNpmManually turns it into
 * miniprogram_npm, then node_modules is removed: open the result in DevTools as it is.
 *
 *   node tools/demo-pack.js [outDir]     (`npm run dev` builds first, then runs this)
 */
const fs = require('fs');
const path = require('path');
const config = require('./config');
const { PKG_NAME, buildNpm } = require('./check-pack');

/** Puts this checkout's built mini program package into `<projectDir>/node_modules/<pkg>`. */
function placePackage(projectDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(config.root, 'package.json'), 'utf8'));
  const mpFolder = pkg.miniprogram || 'miniprogram_dist';
  const source = path.join(config.root, mpFolder);
  if (!fs.existsSync(source)) throw new Error(`${source} does not exist: run the build first`);
  const target = path.join(projectDir, 'node_modules', PKG_NAME);
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(config.root, 'package.json'), path.join(target, 'package.json'));
  fs.cpSync(source, path.join(target, mpFolder), { recursive: true });
}

async function packDemo({ outDir = config.devDist, quiet = false } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.cpSync(config.demoSrc, outDir, { recursive: true });
  placePackage(outDir);
  try {
    const result = await buildNpm(outDir);
    if (result.miniProgramPackNum < 1) throw new Error(`构建npm packed no mini program package: ${JSON.stringify(result)}`);
    if (!quiet) console.log(`demo built into ${path.relative(process.cwd(), outDir) || '.'} (${JSON.stringify(result)}); open it in WeChat DevTools`);
    return result;
  } finally {
    fs.rmSync(path.join(outDir, 'node_modules'), { recursive: true, force: true });
  }
}

if (require.main === module) {
  packDemo({ outDir: process.argv[2] ? path.resolve(process.argv[2]) : undefined }).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}

module.exports = { packDemo };
