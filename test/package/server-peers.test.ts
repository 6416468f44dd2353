/**
 * The server's packages (ws, jose, prom-client, sirv, redis) are optional peer dependencies: a mini
 * program project that installs the kit gets none of them, and 构建npm never bundles them. The
 * counter-check shows why they cannot be `dependencies`: packNpm follows `dependencies` and bundles
 * them into miniprogram_npm.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildNpm, installTarball, packTarball, PKG_NAME, PackedTarball } from '../../tools/check-pack';
import { tempDirs } from '../helpers/tmp';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const SERVER_PEERS = ['ws', 'jose', 'prom-client', 'sirv', 'redis'];
const tmp = tempDirs('peers');
let pack: PackedTarball;

beforeAll(() => {
  pack = packTarball(tmp.make());
});
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // packNpm's parse errors on jose, counter-check only
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => tmp.cleanup());

const dirsOf = (dir: string) => fs.readdirSync(dir).filter((name) => !name.startsWith('.')).sort();

test('package.json: no dependencies at all; every server package is an optional peer; no install-time build', () => {
  expect(PKG.dependencies).toBeUndefined();
  expect(PKG.optionalDependencies).toBeUndefined();
  // Besides the server's packages, only type packages for TypeScript users are peers.
  expect(Object.keys(PKG.peerDependencies).filter((name) => !name.startsWith('@types/')).sort()).toEqual([...SERVER_PEERS].sort());
  for (const name of Object.keys(PKG.peerDependencies)) expect([name, PKG.peerDependenciesMeta[name]]).toEqual([name, { optional: true }]);
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect([hook, PKG.scripts[hook]]).toEqual([hook, undefined]);
  // Every command that needs the build still builds first.
  for (const script of ['pretest', 'prestart', 'prepack']) expect([script, PKG.scripts[script]]).toEqual([script, expect.stringMatching(/gulp build/)]);
});

test('a mini program project installs the kit alone, and 构建npm packs only the kit', async () => {
  const project = path.join(tmp.make(), 'consumer');
  installTarball(project, pack.tarball);
  expect(dirsOf(path.join(project, 'node_modules'))).toEqual([PKG_NAME]);
  expect(await buildNpm(project)).toMatchObject({ miniProgramPackNum: 1, otherNpmPackNum: 0 });
  expect(dirsOf(path.join(project, 'miniprogram_npm'))).toEqual([PKG_NAME]);
});

test('counter-check: the same packages as `dependencies` would be bundled into miniprogram_npm', async () => {
  const project = path.join(tmp.make(), 'consumer');
  const installed = installTarball(project, pack.tarball);
  const pkgFile = path.join(installed, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.dependencies = { jose: PKG.peerDependencies.jose, sirv: PKG.peerDependencies.sirv };
  fs.writeFileSync(pkgFile, JSON.stringify(pkg));
  // What `npm install` would have put next to it; sirv's own dependencies come along as packNpm follows them.
  for (const name of ['jose', 'sirv', '@polka/url', 'mrmime', 'totalist']) {
    fs.cpSync(path.join(ROOT, 'node_modules', name), path.join(project, 'node_modules', name), { recursive: true });
  }
  const result = await buildNpm(project).catch((err: Error) => ({ error: err.message }));
  expect(result).toMatchObject({ miniProgramPackNum: 1 });
  expect(dirsOf(path.join(project, 'miniprogram_npm'))).toEqual(expect.arrayContaining(['jose', 'sirv', PKG_NAME]));
});
