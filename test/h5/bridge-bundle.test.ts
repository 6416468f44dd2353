/**
 * The H5 SDK builds: ESM/CJS/<script>, and their size. The navigate-only build (what a bundler
 * keeps from `import { createBridge }`) must stay under 4 KiB minified + gzipped; the socket
 * transport is tree-shaken away from it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import * as zlib from 'zlib';
import { build } from 'esbuild';

const H5_DIST = path.resolve(__dirname, '../../dist/h5');
const gz = (text: string | Uint8Array) => zlib.gzipSync(text, { level: 9 }).length;

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: H5_DIST, loader: 'js' },
    bundle: true, minify: true, format: 'esm', write: false, target: 'es2017', logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

test('every build is there; the <script> build defines the global HybridKit', () => {
  for (const file of ['index.mjs', 'index.cjs', 'hybrid-kit.js', 'hybrid-kit.min.js']) {
    expect(fs.statSync(path.join(H5_DIST, file)).size).toBeGreaterThan(1000);
  }
  const sandbox: Record<string, any> = {};
  sandbox.window = sandbox;
  vm.runInNewContext(fs.readFileSync(path.join(H5_DIST, 'hybrid-kit.min.js'), 'utf8'), sandbox);
  expect(Object.keys(sandbox.HybridKit).sort()).toEqual(
    ['DEFAULT_CALL_PAGE', 'HybridError', 'createBridge', 'createSocketCallTransport', 'createSocketTransport', 'detectEnv', 'isHybridError'],
  );
  const cjs = require(path.join(H5_DIST, 'index.cjs'));
  expect(typeof cjs.createBridge).toBe('function');
  expect(new cjs.HybridError('TIMEOUT', 'x').code).toBe('TIMEOUT');
});

test('the lite <script> build (navigate channel only) defines HybridKit and is under 4 KiB min+gz', () => {
  const lite = fs.readFileSync(path.join(H5_DIST, 'hybrid-kit.lite.min.js'), 'utf8');
  const sandbox: Record<string, any> = {};
  sandbox.window = sandbox;
  vm.runInNewContext(lite, sandbox);
  expect(Object.keys(sandbox.HybridKit).sort()).toEqual(['HybridError', 'createBridge', 'detectEnv']);
  expect(new sandbox.HybridKit.HybridError('TIMEOUT', 'x').code).toBe('TIMEOUT');
  expect(lite).not.toContain('SocketClient');
  expect(gz(lite)).toBeLessThan(4096);
});

test('the .d.ts of the SDK are emitted where package.json "exports" points', () => {
  const pkg = require('../../package.json');
  const types = path.resolve(__dirname, '../..', pkg.exports['./h5'].types);
  expect(fs.readFileSync(types, 'utf8')).toContain('createBridge');
});

test('the navigate-only build is under 4 KiB min+gz and carries no socket client', async () => {
  const navigateOnly = await bundle("export { createBridge } from './index.mjs';");
  const withSocket = await bundle("export { createBridge, createSocketCallTransport } from './index.mjs';");
  const script = fs.readFileSync(path.join(H5_DIST, 'hybrid-kit.min.js'));
  const sizes = { navigateOnly: gz(navigateOnly), withSocket: gz(withSocket), script: gz(script) };
  console.log(`H5 SDK min+gz bytes: ${JSON.stringify(sizes)}`);
  expect(sizes.navigateOnly).toBeLessThan(4096);
  expect(navigateOnly).not.toContain('SocketClient');
  expect(withSocket).toContain('SocketClient');
  expect(sizes.withSocket).toBeGreaterThan(sizes.navigateOnly);
});
