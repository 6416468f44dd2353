/**
 * Build tasks. `build` = clean, then in parallel: the mini program package (TypeScript + statics
 * into miniprogram_dist), the H5 SDK (dist/h5) and the Node relay server (dist/node).
 * A type error fails the build (gulp-typescript reports it and the stream errors).
 */
const fs = require('fs');
const path = require('path');
const { series, parallel, src, dest, watch: gulpWatch } = require('gulp');
const ts = require('gulp-typescript');
const config = require('./config');

function rm(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

function clean(done) {
  rm(config.mpDist);
  rm(path.join(config.root, 'dist'));
  done();
}

/**
 * TypeScript of a tsconfig into its outDir (.js and .d.ts). Any type error rejects, with every
 * diagnostic in the message (they are also printed as gulp-typescript prints them).
 * `tsconfigFile` is relative to the repository root, or absolute. `declarationsOnly` writes just the
 * .d.ts (gulp-typescript emits nothing at all under tsc's own `emitDeclarationOnly`).
 */
function compileProject(tsconfigFile, outDir, { declarationsOnly = false } = {}) {
  return function compile() {
    const project = ts.createProject(path.resolve(config.root, tsconfigFile));
    const diagnostics = [];
    const printer = ts.reporter.defaultReporter();
    const reporter = {
      error(err, typescript) {
        diagnostics.push(err.message);
        printer.error(err, typescript);
      },
    };
    let failed = false;
    const result = project.src().pipe(project(reporter)).on('error', () => {
      failed = true;
    });
    return new Promise((resolve, reject) => {
      let pending = 2;
      const finish = () => {
        if (--pending > 0) return;
        if (!failed && diagnostics.length === 0) return resolve();
        reject(new Error(`TypeScript errors in ${tsconfigFile}:\n${diagnostics.join('\n')}`));
      };
      const js = declarationsOnly ? result.js.resume() : result.js.pipe(dest(outDir));
      js.on(declarationsOnly ? 'end' : 'finish', finish).on('error', reject);
      result.dts.pipe(dest(outDir)).on('finish', finish).on('error', reject);
    });
  };
}

const mpScripts = compileProject('tsconfig.json', config.mpDist);
mpScripts.displayName = 'mp:scripts';

function mpStatics() {
  return src(config.staticGlobs, { base: config.src, cwd: config.root, encoding: false, allowEmpty: true }).pipe(dest(config.mpDist));
}
mpStatics.displayName = 'mp:statics';

/**
 * Third-party code the mini program needs (the Markdown lexer), bundled by esbuild into the very
 * file that imports it, over what TypeScript emitted: 构建npm copies miniprogram_dist as it is
 * and resolves no dependency of ours, so nothing may be left to `require('marked')`.
 */
const MP_BUNDLES = ['components/chat-panel/markdown/lexer'];

/** The copyright header of a bundled package, kept (minifying drops it); its license field if it has none. */
function licenseBanner(pkg) {
  const head = fs.readFileSync(require.resolve(pkg), 'utf8').match(/^\/\*\*?([\s\S]*?)\*\//);
  const meta = require(`${pkg}/package.json`);
  return head ? `/*!${head[1]}*/` : `/*! ${pkg} ${meta.version} (${meta.license} License) */`;
}

async function mpBundles() {
  const esbuild = require('esbuild');
  await Promise.all(
    MP_BUNDLES.map((rel) =>
      esbuild.build({
        entryPoints: [path.join(config.src, rel + '.ts')],
        outfile: path.join(config.mpDist, rel + '.js'),
        bundle: true,
        format: 'cjs',
        platform: 'neutral',
        mainFields: ['module', 'main'],
        target: 'es2017',
        minify: true,
        legalComments: 'inline',
        banner: { js: licenseBanner('marked') },
        logLevel: 'warning',
      }),
    ),
  );
}
mpBundles.displayName = 'mp:bundles';

/** Forwarding modules and page copies at the deep paths of earlier releases (tools/old-paths.js). */
function mpOldPaths(done) {
  require('./old-paths').writeOldPaths(config.mpDist);
  done();
}
mpOldPaths.displayName = 'mp:old-paths';

const mp = series(parallel(series(mpScripts, mpBundles), mpStatics), mpOldPaths);

/**
 * The H5 SDK: ESM + CJS (esbuild), the full single-file <script> build (hybrid-kit[.min].js, with the
 * socket transport) and the lite one (hybrid-kit.lite[.min].js, navigate channel only), all with
 * the global `HybridKit`.
 */
async function h5Bundles() {
  const esbuild = require('esbuild');
  const common = { bundle: true, target: 'es2017', platform: 'browser', logLevel: 'warning' };
  const out = (name) => path.join(config.h5Dist, name);
  const script = (entry, name, minify, globalName) =>
    esbuild.build({ ...common, entryPoints: [entry], format: 'iife', globalName, minify, outfile: out(name) });
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [config.h5Entry], format: 'esm', outfile: out('index.mjs') }),
    esbuild.build({ ...common, entryPoints: [config.h5Entry], format: 'cjs', outfile: out('index.cjs') }),
    script(config.h5Entry, 'hybrid-kit.js', false, config.h5GlobalName),
    script(config.h5Entry, 'hybrid-kit.min.js', true, config.h5GlobalName),
    // lite.ts assigns the global itself
    script(config.h5LiteEntry, 'hybrid-kit.lite.js', false),
    script(config.h5LiteEntry, 'hybrid-kit.lite.min.js', true),
  ]);
  precompress(['hybrid-kit.js', 'hybrid-kit.min.js', 'hybrid-kit.lite.js', 'hybrid-kit.lite.min.js'].map(out));
}

/** `.gz` and `.br` next to each script: the relay's static server (sirv) sends them to clients that accept them. */
function precompress(files) {
  const zlib = require('zlib');
  for (const file of files) {
    const data = fs.readFileSync(file);
    fs.writeFileSync(file + '.gz', zlib.gzipSync(data, { level: 9 }));
    fs.writeFileSync(file + '.br', zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}
h5Bundles.displayName = 'h5:bundles';

const h5Types = compileProject('tsconfig.h5.json', path.join(config.h5Dist, 'types'), { declarationsOnly: true });
h5Types.displayName = 'h5:types';
const h5 = parallel(h5Bundles, h5Types);

const server = compileProject('tsconfig.server.json', config.nodeDist);
server.displayName = 'server';

const build = series(clean, parallel(mp, h5, server));

/**
 * The demo mini program, built the way a user gets it: copy tools/demo into miniprogram_dev and
 * put the library into miniprogram_dev/miniprogram_npm with miniprogram-ci's packer (构建npm).
 */
async function demo() {
  const { packDemo } = require('./demo-pack');
  await packDemo();
}

function watch() {
  gulpWatch(['src/**/*'], { cwd: config.root, ignoreInitial: false }, parallel(mp, h5, server));
}

module.exports = { clean, build, dev: series(build, demo), watch, mp, h5, server, compileProject, MP_BUNDLES };
