import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { closeAll, relayFactory, server, startRelay, TestClient } from './helpers';

interface Answer {
  status: number;
  body: string;
  raw: Buffer;
  type: string;
  headers: http.IncomingHttpHeaders;
}

function get(port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  // Raw request: the path is sent exactly as written (no client-side normalisation of "..").
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode || 0, body: raw.toString(), raw, type: String(res.headers['content-type']), headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
const relayWith = relayFactory();
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-static-'));
  fs.mkdirSync(path.join(dir, 'site', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'site', 'index.html'), '<h1>demo</h1>');
  fs.writeFileSync(path.join(dir, 'site', 'sub', 'a.js'), 'console.log(1)');
  for (const name of ['font.woff2', 'pic.webp', 'mod.wasm', 'app.js.map']) fs.writeFileSync(path.join(dir, 'site', name), 'x');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP SECRET');
  const sdk = 'window.HybridKit={};'.repeat(200);
  fs.writeFileSync(path.join(dir, 'sdk.js'), sdk);
  fs.writeFileSync(path.join(dir, 'sdk.js.br'), zlib.brotliCompressSync(sdk));
  fs.writeFileSync(path.join(dir, 'sdk.js.gz'), zlib.gzipSync(sdk));
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'site', 'link.txt'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const site = () => ({ demo: true, staticDir: path.join(dir, 'site'), h5Script: path.join(dir, 'sdk.js') });

describe('HTTP endpoints', () => {
  test('by default: /healthz answers; no demo page, no /metrics', async () => {
    const relay = await relayWith({ staticDir: path.join(dir, 'site'), h5Script: false });
    const port = relay.address()!.port;
    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mode: 'open', redis: false, connections: 0 });
    expect((await get(port, '/metrics')).status).toBe(404);
    const index = await get(port, '/');
    expect(index).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    expect(index.body).toMatch(/--demo/);
    expect((await get(port, '/sub/a.js')).status).toBe(404);
  });

  test('with demo: files of the directory; traversal and symlinks out are refused', async () => {
    const port = (await relayWith(site())).address()!.port;
    expect(await get(port, '/')).toMatchObject({ status: 200, body: '<h1>demo</h1>', type: 'text/html;charset=utf-8' });
    expect(await get(port, '/sub/a.js')).toMatchObject({ status: 200, body: 'console.log(1)', type: 'text/javascript' });
    expect((await get(port, '/missing.html')).status).toBe(404);
    for (const evil of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/sub%5c..%5c..%5csecret.txt', '/%00', '/link.txt']) {
      const res = await get(port, evil);
      expect(res.body).not.toContain('TOP SECRET');
      expect([evil, [403, 404].includes(res.status)]).toEqual([evil, true]);
    }
  });

  test('static files: ETag and 304, Cache-Control, HEAD, full MIME table', async () => {
    const port = (await relayWith(site())).address()!.port;
    const first = await get(port, '/sub/a.js');
    expect(first.headers.etag).toMatch(/^W\/"\d+-\d+"$/);
    expect(first.headers['cache-control']).toBe('public,max-age=0,must-revalidate');
    const again = await get(port, '/sub/a.js', { 'If-None-Match': String(first.headers.etag) });
    expect(again).toMatchObject({ status: 304, body: '' });
    const head = await get(port, '/sub/a.js', {}, 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('14');
    const types = await Promise.all(['font.woff2', 'pic.webp', 'mod.wasm', 'app.js.map'].map(async (f) => (await get(port, `/${f}`)).type));
    expect(types).toEqual(['font/woff2', 'image/webp', 'application/wasm', 'application/json']);
  });

  test('/hybrid-kit.js: cached an hour, precompressed br/gz to clients that accept them', async () => {
    const port = (await relayWith(site())).address()!.port;
    const plain = await get(port, '/hybrid-kit.js');
    // No charset: the page's own encoding applies (esbuild writes the SDK as ASCII).
    expect(plain).toMatchObject({ status: 200, body: 'window.HybridKit={};'.repeat(200), type: 'text/javascript' });
    expect(plain.headers['cache-control']).toBe('public,max-age=3600');
    const br = await get(port, '/hybrid-kit.js', { 'Accept-Encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.raw).toString()).toBe(plain.body);
    expect(br.raw.length).toBeLessThan(plain.raw.length / 10);
    const gz = await get(port, '/hybrid-kit.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.raw).toString()).toBe(plain.body);
    expect((await get(port, '/hybrid-kit.js', { 'If-None-Match': String(plain.headers.etag) })).status).toBe(304);
  });

  test('the package build ships .br/.gz next to the SDK scripts', () => {
    const h5 = path.resolve(__dirname, '../../dist/h5');
    for (const name of ['hybrid-kit.js', 'hybrid-kit.min.js', 'hybrid-kit.lite.min.js']) {
      const original = fs.readFileSync(path.join(h5, name));
      expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(h5, `${name}.br`)))).toEqual(original);
      expect(zlib.gunzipSync(fs.readFileSync(path.join(h5, `${name}.gz`)))).toEqual(original);
    }
  });
});

describe('metrics (prom-client)', () => {
  test('--metrics: counters, gauges, histograms and process metrics in one exposition', async () => {
    const relay = await relayWith({ metrics: true });
    const port = relay.address()!.port;
    const a = await TestClient.open(relay, 'm', 'h5', 0);
    const b = await TestClient.open(relay, 'm', 'miniapp', 0);
    a.send({ type: 'message', data: 'x' });
    await b.next((f) => f.type === 'message');
    const res = await get(port, '/metrics');
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^hybrid_kit_connections 2$/m);
    expect(res.body).toMatch(/^hybrid_kit_pairs 1$/m);
    expect(res.body).toMatch(/^hybrid_kit_connections_total 2$/m);
    expect(res.body).toMatch(/^hybrid_kit_messages_forwarded_total 1$/m);
    expect(res.body).toMatch(/^hybrid_kit_rejects_total\{reason="unauthorized"\} 0$/m);
    for (const h of ['hybrid_kit_forward_latency_seconds', 'hybrid_kit_backlog_age_seconds', 'hybrid_kit_ack_latency_seconds']) {
      expect(res.body).toMatch(new RegExp(`^# TYPE ${h} histogram$`, 'm'));
      expect(res.body).toMatch(new RegExp(`^${h}_bucket\\{le="\\+Inf"\\} \\d+$`, 'm'));
    }
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
    expect(res.body).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(await relay.prometheus()).toMatch(/^hybrid_kit_connections 2$/m);
    await closeAll([a, b]);
  });

  test('the relay feeds the histograms: forward latency, ack latency, backlog age at replay (memory hub)', async () => {
    const relay = await relayWith({ metrics: true });
    const count = async (name: string) => Number(new RegExp(`^${name}_count (\\d+)$`, 'm').exec(await relay.prometheus())![1]);
    const h5 = await TestClient.open(relay, 'hist', 'h5', 0);
    h5.send({ type: 'message', id: 'm1', data: 'waits in the backlog' }); // the mini program is not there yet
    await h5.next((f) => f.type === 'ack' && f.id === 'm1');
    expect(await count('hybrid_kit_ack_latency_seconds')).toBe(1);
    expect(await count('hybrid_kit_forward_latency_seconds')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const mp = await TestClient.open(relay, 'hist', 'miniapp', 0); // resume from 0: the backlog is replayed
    await mp.next((f) => f.type === 'message' && f.id === 'm1');
    expect(await count('hybrid_kit_backlog_age_seconds')).toBe(1);
    const text = await relay.prometheus();
    expect(Number(/^hybrid_kit_backlog_age_seconds_sum (\S+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(0.03);
    h5.send({ type: 'message', id: 'm2', data: 'live' });
    await mp.next((f) => f.type === 'message' && f.id === 'm2');
    expect(await count('hybrid_kit_forward_latency_seconds')).toBe(1);
    expect(await count('hybrid_kit_ack_latency_seconds')).toBe(2);
    expect(relay.metrics()).toMatchObject({ replayed: 1, acks: 2 });
    await closeAll([h5, mp]);
  });

  test('a bearer token protects /metrics (401 without it, constant-time compare)', async () => {
    const relay = await relayWith({ metrics: true, metricsToken: 'scrape-me' });
    const port = relay.address()!.port;
    const refused = await get(port, '/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await get(port, '/metrics', { Authorization: 'Bearer scrape-mE' })).status).toBe(401);
    expect((await get(port, '/metrics', { Authorization: 'Bearer scrape-me!' })).status).toBe(401);
    const ok = await get(port, '/metrics', { Authorization: 'Bearer scrape-me' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^hybrid_kit_connections 0$/m);
  });

  test('metricsPort: /metrics on its own port only; closed with the relay', async () => {
    const own = await startRelay({ metrics: true, metricsPort: await freePort() });
    const port = own.address()!.port;
    const metricsPort = own.metricsPort()!;
    expect(metricsPort).not.toBe(port);
    expect((await get(port, '/metrics')).status).toBe(404);
    expect((await get(metricsPort, '/metrics')).body).toMatch(/^hybrid_kit_connections 0$/m);
    expect((await get(metricsPort, '/healthz')).status).toBe(404);
    await own.close();
    await expect(get(metricsPort, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('registry: the relay registers into the application registry, which serves one /metrics', async () => {
    const prom = require('prom-client');
    const registry = new prom.Registry();
    const appCounter = new prom.Counter({ name: 'app_orders_total', help: 'orders', registers: [registry] });
    appCounter.inc(3);
    const relay = await startRelay({ registry });
    const a = await TestClient.open(relay, 'r', 'h5', 0);
    const text: string = await registry.metrics();
    expect(text).toMatch(/^app_orders_total 3$/m);
    expect(text).toMatch(/^hybrid_kit_connections 1$/m);
    expect(text).not.toMatch(/^process_cpu_user_seconds_total/m); // the application decides on default metrics
    await a.close();
    await relay.close();
    expect(await registry.metrics()).not.toMatch(/hybrid_kit_/);
    expect(await registry.metrics()).toMatch(/^app_orders_total 3$/m);
  });
});

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

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
