/**
 * The container files, checked without a Docker engine: Dockerfile and container.config.json
 * (微信云托管) parse and agree with each other and with package.json; then the runtime stage is
 * reproduced in a temporary WORKDIR (the packed package plus the peers its RUN line installs), its
 * CMD runs there with the image's environment, answers /healthz (also through the HEALTHCHECK
 * command) and exits 0 on SIGTERM.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { installTarball, packTarball } from '../../tools/check-pack';
import { tempDirs } from '../helpers/tmp';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions of the LAST stage (continuation lines joined, comments dropped). */
function lastStage(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const all = joined.map((line) => {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not a Dockerfile instruction: ${line}`);
    return { op: m[1], args: m[2].trim() };
  });
  const from = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(from);
}

/** `ENV a=b c=d` lines into one object. */
function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.filter((x) => x.op === 'ENV')) for (const [, k, v] of i.args.matchAll(/(\w+)=(\S+)/g)) env[k] = v;
  return env;
}

/** The runtime peers (package.json also lists @types/* peers for TypeScript users). */
const serverPeers = () => Object.entries(PKG.peerDependencies as Record<string, string>).filter(([name]) => !name.startsWith('@types/'));

const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stage = lastStage(dockerfile);
const one = (op: string) => stage.filter((i) => i.op === op);
const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'container.config.json'), 'utf8'));

describe('Dockerfile and container.config.json', () => {
  test('the runtime stage: small Node image, non-root, healthcheck on /healthz, exec-form CMD', () => {
    expect(one('FROM')[0].args).toMatch(/^node:\d+-(alpine|slim|bookworm-slim)\b/);
    const user = one('USER');
    expect(user).toHaveLength(1);
    expect(user[0].args).not.toMatch(/^(root|0)(:|$)/);
    expect(stage.findIndex((i) => i.op === 'USER')).toBeGreaterThan(stage.findIndex((i) => i.op === 'RUN'));
    expect(one('HEALTHCHECK')[0].args).toMatch(/\/healthz/);
    expect(JSON.parse(one('CMD')[0].args)[0]).toBe('node'); // no shell, no npm: SIGTERM reaches the relay
  });

  test('the RUN line installs the packed package with every server peer at package.json\'s range', () => {
    const run = one('RUN').map((i) => i.args).join(' ');
    expect(run).toMatch(/npm install --omit=dev/);
    for (const [name, range] of serverPeers()) expect(run).toContain(`"${name}@${range}"`);
    expect(run).not.toMatch(/@types\//); // type packages are for TypeScript users, not the runtime image
  });

  test('container.config.json (微信云托管) agrees with the Dockerfile and keeps secrets out', () => {
    expect(config).toMatchObject({ dockerfilePath: 'Dockerfile', containerPort: expect.any(Number) });
    expect(fs.existsSync(path.join(ROOT, config.dockerfilePath))).toBe(true);
    expect(config.containerPort).toBeGreaterThanOrEqual(1);
    expect(config.containerPort).toBeLessThanOrEqual(61000);
    expect(config.containerPort).not.toBe(9100); // reserved by the platform
    expect(one('EXPOSE')[0].args).toBe(String(config.containerPort));
    expect(envOf(stage).HYBRID_KIT_PORT).toBe(String(config.containerPort));
    expect(config.envParams.HYBRID_KIT_PORT).toBe(String(config.containerPort));
    expect(config.minNum).toBeLessThanOrEqual(config.maxNum);
    expect(Object.keys(config.envParams).filter((k) => /SECRET|TOKEN|KEY/.test(k))).toEqual([]);
    expect(dockerfile).not.toMatch(/HYBRID_KIT_SECRET=/);
  });
});

describe('the image start command, run as in the container', () => {
  const tmp = tempDirs('container');
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    tmp.cleanup();
  });

  /** The runtime stage's WORKDIR: the packed package and the peers its RUN line names. */
  function buildWorkdir(): string {
    const work = tmp.make();
    const workdir = path.join(work, 'srv');
    installTarball(workdir, packTarball(work).tarball);
    const peers = serverPeers().map(([name, range]) => `${name}@${range}`);
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', ...peers], { cwd: workdir, stdio: 'ignore' });
    return workdir;
  }

  function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode || 0, body }));
      }).on('error', reject);
    });
  }

  async function freePort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  test('CMD serves /healthz with the image env and a secret; the HEALTHCHECK command passes; SIGTERM exits 0', async () => {
    const workdir = buildWorkdir();
    const port = await freePort();
    // The image's ENV and the platform's variables; only the bind address is narrowed to loopback here.
    const env = { PATH: process.env.PATH, ...envOf(stage), ...config.envParams, HYBRID_KIT_SECRET: 'from-the-secret-store', HYBRID_KIT_PORT: String(port), HYBRID_KIT_HOST: '127.0.0.1' };
    const [cmd, ...args] = JSON.parse(one('CMD')[0].args) as string[];
    child = spawn(cmd === 'node' ? process.execPath : cmd, args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15000);
      const check = () => (/listening on/.test(out) ? (clearTimeout(timer), resolve()) : setTimeout(check, 50));
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      check();
    });
    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mode: 'signed' });
    expect((await get(port, '/metrics')).status).toBe(404); // not exposed unless asked for
    const [hcCmd, ...hcArgs] = JSON.parse(one('HEALTHCHECK')[0].args.replace(/^.*?CMD\s+/, '')) as string[];
    expect(hcCmd).toBe('node');
    const probe = spawn(process.execPath, hcArgs, { env });
    expect(await new Promise((resolve) => probe.once('exit', resolve))).toBe(0);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Once it is gone, the health check fails as the platform would see it.
    const dead = spawn(process.execPath, hcArgs, { env });
    expect(await new Promise((resolve) => dead.once('exit', resolve))).toBe(1);
  });
});
