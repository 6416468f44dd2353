import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { closeAll, Relay, server, startRelay, TestClient } from './helpers';

function get(port: number, urlPath: string): Promise<{ status: number; body: string; type: string }> {
  // Raw request: the path is sent exactly as written (no client-side normalisation of "..").
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode || 0, body, type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let relays: Relay[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-static-'));
  fs.mkdirSync(path.join(dir, 'site', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'site', 'index.html'), '<h1>demo</h1>');
  fs.writeFileSync(path.join(dir, 'site', 'sub', 'a.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP SECRET');
  fs.writeFileSync(path.join(dir, 'sdk.js'), 'window.HybridKit={}');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'site', 'link.txt'));
});
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('HTTP endpoints', () => {
  test('/healthz, /metrics, static files, /hybrid-kit.js; traversal is refused', async () => {
    const relay = await startRelay({ staticDir: path.join(dir, 'site'), h5Script: path.join(dir, 'sdk.js') });
    relays.push(relay);
    const port = relay.address()!.port;
    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mode: 'open', redis: false, connections: 0 });

    const a = await TestClient.open(relay, 'http', 'h5', 0);
    const metrics = await get(port, '/metrics');
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^hybrid_kit_connections 1$/m);
    expect(metrics.body).toMatch(/^hybrid_kit_rejects_total\{reason="unauthorized"\} 0$/m);
    await a.close();

    expect(await get(port, '/')).toMatchObject({ status: 200, body: '<h1>demo</h1>', type: 'text/html; charset=utf-8' });
    expect(await get(port, '/sub/a.js')).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(await get(port, '/hybrid-kit.js')).toMatchObject({ status: 200, body: 'window.HybridKit={}' });
    expect((await get(port, '/missing.html')).status).toBe(404);
    for (const evil of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/sub%5c..%5c..%5csecret.txt', '/%00', '/link.txt']) {
      const res = await get(port, evil);
      expect(res.body).not.toContain('TOP SECRET');
      expect([403, 404]).toContain(res.status);
    }
  });

  test('without a demo directory, / answers a plain built-in index', async () => {
    const relay = await startRelay({ staticDir: false, h5Script: false });
    relays.push(relay);
    const res = await get(relay.address()!.port, '/');
    expect(res).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    expect(res.body).toMatch(/hybrid-kit relay/);
    expect((await get(relay.address()!.port, '/hybrid-kit.js')).status).toBe(404);
  });
});

describe('attached to an existing HTTP server (express)', () => {
  test('express serves its routes, the relay its socket path and middleware', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const express = require('express');
    const app = express();
    app.get('/api/ping', (_req: unknown, res: { json(v: unknown): void }) => res.json({ pong: true }));
    const httpServer = http.createServer(app);
    const relay = server.createRelayServer({ server: httpServer, logger: false, staticDir: false, h5Script: false });
    app.use(relay.http);
    await relay.listen();
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as { port: number }).port;
    expect(JSON.parse((await get(port, '/api/ping')).body)).toEqual({ pong: true });
    expect(JSON.parse((await get(port, '/healthz')).body)).toMatchObject({ status: 'ok' });
    const url = (env: string) => `ws://127.0.0.1:${port}/socket?token=exp&env=${env}`;
    const mp = new TestClient(url('miniapp'));
    const h5 = new TestClient(url('h5'));
    await Promise.all([mp.opened, h5.opened]);
    await mp.next((f) => f.type === 'hello');
    h5.send({ type: 'message', data: 'through express' });
    await mp.next((f) => f.data === 'through express');
    await closeAll([mp, h5]);
    await relay.close();
    expect(httpServer.listening).toBe(true); // the user's server is theirs to close
    await new Promise((resolve) => httpServer.close(resolve));
  });
});
