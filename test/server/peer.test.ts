/**
 * The server's packages are optional peers: `hybrid-kit serve` from an install without them says
 * what to install, and the peer table in the code matches package.json.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { missingPeerError, requirePeer, SERVER_PEERS } from '../../src/server/peer';
import { tempDirs } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

// Several CLI processes per test; generous for a loaded machine (the tests assert outputs, not speed).
jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');
const tmp = tempDirs('peer');
afterAll(() => tmp.cleanup());

/**
 * The package as installed with only `peers` next to it (linked from this checkout's node_modules):
 * bin, the Node and H5 builds and package.json, no other node_modules above.
 */
function installWith(peers: string[] = []): string {
  const modules = path.join(tmp.make(), 'node_modules');
  const dir = path.join(modules, 'miniprogram-hybrid-kit');
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of ['package.json', 'bin', 'dist/node', 'dist/h5/hybrid-kit.min.js', 'tools/demo-h5']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  for (const name of peers) fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  return dir;
}
const installWithoutPeers = () => installWith();

function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(dir, 'bin/hybrid-kit.js'), ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 10000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

test('SERVER_PEERS is package.json peerDependencies (besides the @types/* ones for TypeScript users), each optional', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const runtime = Object.fromEntries(Object.entries(pkg.peerDependencies).filter(([name]) => !name.startsWith('@types/')));
  expect(runtime).toEqual(SERVER_PEERS);
  for (const name of Object.keys(pkg.peerDependencies)) expect([name, pkg.peerDependenciesMeta[name]]).toEqual([name, { optional: true }]);
});

test('hybrid-kit serve without ws exits 1 and names the package to install', async () => {
  const dir = installWithoutPeers();
  expect(fs.existsSync(path.join(dir, '../ws'))).toBe(false);
  const result = await run(dir, ['serve', '--port', '0']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('hybrid-kit serve needs the "ws" package, which is not installed: npm install ws@"^8.0.0"');
  expect(result.stdout).not.toMatch(/listening/);
});

test('each feature names its own missing peer; the relay starts without the optional ones', async () => {
  const dir = installWith(['ws']);
  const metrics = await run(dir, ['serve', '-p', '0', '--metrics']);
  expect(metrics.code).toBe(1);
  expect(metrics.stderr).toContain('relay metrics (metrics, metricsPort, registry) needs the "prom-client" package, which is not installed: npm install prom-client@"^15.0.0"');
  const token = await run(dir, ['token', 'u'], { HYBRID_KIT_SECRET: 's' });
  expect(token.code).toBe(1);
  expect(token.stderr).toContain('needs the "jose" package');
  const demo = await run(dir, ['serve', '-p', '0', '--demo']);
  expect(demo.stderr).toContain('the demo page (demo) needs the "sirv" package');
  // Plain `serve` (open mode, no demo, no metrics) needs ws alone: it starts, and says /hybrid-kit.js is left out.
  const child = spawn(process.execPath, [path.join(dir, 'bin/hybrid-kit.js'), 'serve', '-p', '0'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  try {
    await waitFor(() => /listening on/.test(out), 10000, `listening line in: ${out}`);
    expect(out).toContain('/hybrid-kit.js is not served: /hybrid-kit.js (h5Script) needs the "sirv" package');
  } finally {
    child.kill('SIGKILL');
  }
});

test('requirePeer: a missing peer becomes BAD_REQUEST with the install command; other load errors pass through', () => {
  const notFound = (id: string) => Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  expect(() => requirePeer('jose', 'signed tokens', (id) => { throw notFound(id); })).toThrow(
    expect.objectContaining({ code: 'BAD_REQUEST', message: 'signed tokens needs the "jose" package, which is not installed: npm install jose@"^5.9.0"' }),
  );
  // A peer that is installed but fails to load because of one of its own dependencies is not "missing".
  expect(() => requirePeer('sirv', 'the demo page', () => { throw notFound('mrmime'); })).toThrow("Cannot find module 'mrmime'");
  const broken = new SyntaxError('Unexpected token');
  expect(() => requirePeer('prom-client', 'metrics', () => { throw broken; })).toThrow(broken);
  expect(requirePeer('ws', 'test', (id) => ({ loaded: id }))).toEqual({ loaded: 'ws' });
  expect(missingPeerError('redis', '--redis').message).toBe('--redis needs the "redis" package, which is not installed: npm install redis@"^4.6.0 || ^5.0.0 || ^6.0.0"');
});

const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];

test('the pinned jose loads through require() in a plain CommonJS Node process (what dist/node does)', async () => {
  const code = "const j = require('jose'); process.stdout.write(typeof j.jwtVerify + ' ' + require('jose/package.json').version)";
  const out = await new Promise<string>((resolve, reject) =>
    // Without require(esm), as on Node 18 and Node 20 before 20.19, an ES-modules-only jose would fail here.
    execFile(process.execPath, [...NO_REQUIRE_ESM, '-e', code], { cwd: ROOT }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const [fn, version] = out.split(' ');
  expect(fn).toBe('function');
  expect(version).toMatch(/^5\./);
});
