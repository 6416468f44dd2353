/**
 * The server's packages are optional peers: `hybrid-kit serve` from an install without them says
 * what to install, and the peer table in the code matches package.json.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { missingPeerError, requirePeer, SERVER_PEERS } from '../../src/server/peer';
import { tempDirs } from '../helpers/tmp';

const ROOT = path.resolve(__dirname, '../..');
const tmp = tempDirs('peer');
afterAll(() => tmp.cleanup());

/** The package as installed without any peer: bin, the Node build and package.json, no node_modules above. */
function installWithoutPeers(): string {
  const dir = path.join(tmp.make(), 'node_modules', 'miniprogram-hybrid-kit');
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of ['package.json', 'bin', 'dist/node']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(dir, 'bin/hybrid-kit.js'), ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 10000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

test('SERVER_PEERS is package.json peerDependencies, each optional', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.peerDependencies).toEqual(SERVER_PEERS);
  for (const name of Object.keys(SERVER_PEERS)) expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
});

test('hybrid-kit serve without ws exits 1 and names the package to install', async () => {
  const dir = installWithoutPeers();
  expect(fs.existsSync(path.join(dir, '../ws'))).toBe(false);
  const result = await run(dir, ['serve', '--port', '0']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('hybrid-kit serve needs the "ws" package, which is not installed: npm install ws@"^8.0.0"');
  expect(result.stdout).not.toMatch(/listening/);
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
