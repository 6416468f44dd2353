import { ChildProcess, execFile, spawn } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as jsonwebtoken from 'jsonwebtoken';
import * as path from 'path';
import { TestClient, upgradeStatus } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

const BIN = path.resolve(__dirname, '../../bin/hybrid-kit.js');

function runWithStdin(args: string[], stdin: string | null, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, HYBRID_KIT_SECRET: '', ...env }, timeout: 10000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? undefined);
  });
}
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runWithStdin(args, null, env);

interface Served {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
}

/** Starts `hybrid-kit serve` and resolves with the URL it prints. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 8000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/\S*)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], port: Number(m[2]), output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function stop(s: Served): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once('exit', (code) => resolve(code));
    s.child.kill('SIGTERM');
  });
}

function getJson(port: number, urlPath: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

function getText(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode || 0, body }));
    }).on('error', reject);
  });
}

/** Resolves with the whole output once it matches `pattern`. */
function waitForOutput(s: Served, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (pattern.test(s.output())) return resolve(s.output());
      if (Date.now() - started > 5000) return reject(new Error(`output never matched ${pattern}: ${s.output()}`));
      setTimeout(check, 20);
    };
    check();
  });
}

describe('hybrid-kit CLI', () => {
  test('serve starts, answers /healthz, warns about open mode, and exits 0 on SIGTERM', async () => {
    const s = await serve(['--port', '0'], { HYBRID_KIT_PATH: '/ws' });
    expect(s.url).toMatch(/\/ws$/);
    expect(await getJson(s.port, '/healthz')).toMatchObject({ status: 'ok', mode: 'open' });
    expect(s.output()).toMatch(/OPEN DEVELOPMENT MODE/);
    const client = new TestClient(`${s.url}?token=t&env=h5`);
    await client.next((f) => f.type === 'hello');
    const code = stop(s);
    expect(await client.waitClose()).toBe(1001);
    expect(await code).toBe(0);
  });

  test('token prints a JWT (secret from the environment or stdin) that serve accepts and jsonwebtoken reads', async () => {
    const minted = await run(['token', '-s', 'u', '--ttl', '60', '--audience', 'relay'], { HYBRID_KIT_SECRET: 's3cret' });
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const token = minted.stdout.trim();
    expect(jsonwebtoken.verify(token, 's3cret', { algorithms: ['HS256'], audience: 'relay' })).toMatchObject({ sub: 'u' });
    const piped = await runWithStdin(['token', '--secret-stdin', '--', '-dash-subject'], 's3cret\n');
    expect(jsonwebtoken.verify(piped.stdout.trim(), 's3cret')).toMatchObject({ sub: '-dash-subject' });
    const s = await serve(['--port', '0'], { HYBRID_KIT_SECRET: 's3cret' });
    try {
      expect(await getJson(s.port, '/healthz')).toMatchObject({ mode: 'signed' });
      const client = new TestClient(`${s.url}?token=${token}&env=miniapp`);
      expect(await client.next((f) => f.type === 'hello')).toMatchObject({ env: 'miniapp' });
      const forged = (await run(['token', 'u'], { HYBRID_KIT_SECRET: 'other' })).stdout.trim();
      expect((await upgradeStatus(`${s.url}?token=${forged}&env=h5`)).status).toBe(401);
      await client.close();
    } finally {
      await stop(s);
    }
  });

  test('RS256: token --private-key <file> mints, serve with HYBRID_KIT_PUBLIC_KEY=<file> accepts, jsonwebtoken agrees', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-keys-'));
    try {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const priv = path.join(dir, 'private.pem');
      const pub = path.join(dir, 'public.pem');
      fs.writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
      const minted = await run(['token', '--private-key', priv, '--key-id', 'k1', '--issuer', 'login', '--', 'rs-user']);
      expect(minted).toMatchObject({ code: 0, stderr: '' });
      const token = minted.stdout.trim();
      expect(jsonwebtoken.verify(token, fs.readFileSync(pub, 'utf8'), { algorithms: ['RS256'], issuer: 'login' })).toMatchObject({ sub: 'rs-user' });
      expect(jsonwebtoken.decode(token, { complete: true })!.header).toMatchObject({ alg: 'RS256', kid: 'k1' });
      const s = await serve(['-p', '0'], { HYBRID_KIT_PUBLIC_KEY: pub, HYBRID_KIT_JWT_ISSUER: 'login' });
      try {
        expect(await getJson(s.port, '/healthz')).toMatchObject({ mode: 'signed' });
        const client = new TestClient(`${s.url}?token=${token}&env=h5`);
        expect(await client.next((f) => f.type === 'hello')).toMatchObject({ env: 'h5' });
        await client.close();
        const hs = (await run(['token', 'rs-user'], { HYBRID_KIT_SECRET: 'x' })).stdout.trim();
        expect((await upgradeStatus(`${s.url}?token=${hs}&env=miniapp`)).status).toBe(401);
      } finally {
        await stop(s);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a secret on the command line still works but is warned about', async () => {
    const minted = await run(['token', '--secret', 's3cret', '--sub', 'u']);
    expect(minted.code).toBe(0);
    expect(minted.stderr).toMatch(/shell history/);
    expect(jsonwebtoken.verify(minted.stdout.trim(), 's3cret')).toMatchObject({ sub: 'u' });
  });

  test('serve --demo prints where to open the demo, and those URLs serve the H5 demo page', async () => {
    const s = await serve(['--port', '0', '--demo']);
    try {
      const lines = await waitForOutput(s, /WeChat DevTools: .*\n/);
      const base = `http://127.0.0.1:${s.port}/`;
      expect(lines).toContain(`H5 demo page: ${base}?token=demo\n`);
      expect(lines).toContain(`second tab playing the mini program: ${base}?token=demo&env=miniapp\n`);
      expect(lines).toContain(`WeChat DevTools: open miniprogram_dev (npm run dev builds it); the demo connects to ws://127.0.0.1:${s.port}/socket\n`);
      const page = await getText(s.port, '/?token=demo&env=miniapp');
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<script[^>]*app\.js/);
    } finally {
      await stop(s);
    }
  });

  test('serve prints no demo URLs when the static dir does not exist', async () => {
    const s = await serve(['--port', '0', '--demo', '--static', path.join(__dirname, 'no-such-demo-dir')]);
    try {
      expect((await getText(s.port, '/healthz')).status).toBe(200); // the relay is up and has printed its start lines
      expect(s.output()).not.toMatch(/demo page|WeChat DevTools/);
    } finally {
      await stop(s);
    }
  });

  test('bad usage exits 1 with a message', async () => {
    const unknownFlag = await run(['serve', '--nope', '1']);
    expect(unknownFlag.code).toBe(1);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--nope'.*hybrid-kit help/);
    expect((await run(['serve', 'stray'])).stderr).toMatch(/Unexpected argument 'stray'/);
    expect((await run(['serve', '--allow-open-public=yes'])).stderr).toMatch(/does not take an argument/);
    const badNumber = await run(['serve', '--port', 'abc']);
    expect(badNumber.code).toBe(1);
    expect(badNumber.stderr).toMatch(/--port/);
    const noSecret = await run(['token', '--sub', 'u'], { HYBRID_KIT_SECRET: '' });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/secret/);
    for (const args of [['help'], ['-h'], ['--help'], ['serve', '-h'], ['token', '--help']]) {
      const help = await run(args);
      expect([args, help.code]).toEqual([args, 0]);
      expect(help.stdout).toMatch(/HYBRID_KIT_REDIS_URL/);
    }
    const none = await run([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Usage:/);
    const version = await run(['--version']);
    expect(version.stdout.trim()).toBe(require('../../package.json').version);
  });
});

describe('hybrid-kit serve: demo page and metrics are off unless asked for', () => {
  test('without flags: no demo page, no /metrics; HYBRID_KIT_DEMO / HYBRID_KIT_METRICS turn them on', async () => {
    const plain = await serve(['-p', '0']);
    try {
      expect((await getText(plain.port, '/metrics')).status).toBe(404);
      expect((await getText(plain.port, '/')).body).toMatch(/--demo/);
      expect(plain.output()).not.toMatch(/H5 demo page/);
    } finally {
      await stop(plain);
    }
    const on = await serve(['-p', '0'], { HYBRID_KIT_DEMO: '1', HYBRID_KIT_METRICS: 'true', HYBRID_KIT_METRICS_TOKEN: 't0k' });
    try {
      expect((await getText(on.port, '/')).body).toMatch(/<script/);
      expect((await getText(on.port, '/metrics')).status).toBe(401);
    } finally {
      await stop(on);
    }
  });

  test('secrets given as flags are warned about; --static without --demo is warned about', async () => {
    const s = await serve(['-p', '0', '--metrics', '--metrics-token', 'x', '--static', __dirname]);
    try {
      expect(s.output()).toMatch(/--metrics-token on the command line lands in shell history/);
      expect(s.output()).toMatch(/--static is served only with --demo/);
    } finally {
      await stop(s);
    }
  });
});
