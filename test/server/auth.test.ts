import { DIST_SERVER, Relay, TestClient, closeAll, relayFactory, server, settle, socketUrl, upgradeStatus } from './helpers';

const SECRET = 'test-secret';
const relayWith = relayFactory();

describe('auth at the upgrade, before the socket opens', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await relayWith({ secret: SECRET, origins: ['https://h5.example.com'] });
  });

  test('missing, forged, expired tokens get 401 and wrong origins 403; no socket opens', async () => {
    const before = relay.metrics().connectionsTotal;
    const base = relay.url();
    const missing = await upgradeStatus(`${base}?env=h5`);
    expect(missing).toEqual({ status: 401, body: { code: 'UNAUTHORIZED', message: expect.stringMatching(/token/) } });
    const forged = await server.signToken({ secret: 'not-the-secret', sub: 'u1' });
    expect((await upgradeStatus(socketUrl(relay, forged, 'h5'))).status).toBe(401);
    const good = await server.signToken({ secret: SECRET, sub: 'u1' });
    const [, payload, sig] = good.split('.');
    const swapped = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.${sig}`; // header swapped
    expect((await upgradeStatus(socketUrl(relay, swapped, 'h5'))).status).toBe(401);
    const expired = await server.signToken({ secret: SECRET, sub: 'u1', ttl: 1, now: Date.now() - 60_000 }); // past the 5 s clock tolerance
    const exp401 = await upgradeStatus(socketUrl(relay, expired, 'h5'));
    expect(exp401).toMatchObject({ status: 401, body: { message: expect.stringMatching(/expired/) } });
    const origin403 = await upgradeStatus(socketUrl(relay, good, 'h5'), { Origin: 'https://evil.example.com' });
    expect(origin403.status).toBe(403);
    expect((await upgradeStatus(socketUrl(relay, good, 'bad env!'))).status).toBe(400);
    expect((await upgradeStatus(socketUrl(relay, good, 'h5').replace('/socket', '/other'))).status).toBe(400);
    const m = relay.metrics();
    expect(m.connectionsTotal).toBe(before);
    expect(m.rejects.unauthorized).toBe(4);
    expect(m.rejects.forbidden).toBe(1);
    expect(m.rejects.bad_request).toBe(1);
  });

  test('a valid token is accepted from an allowed origin or with no origin, and pairs by subject', async () => {
    const tokenA = await server.signToken({ secret: SECRET, sub: 'user-9', ttl: 60 });
    const tokenB = await server.signToken({ secret: SECRET, sub: 'user-9', ttl: 120 }); // minted later, same subject
    const h5 = new TestClient(socketUrl(relay, tokenA, 'h5'), { Origin: 'https://h5.example.com' });
    await h5.opened;
    const mp = await TestClient.open(relay, tokenB, 'miniapp', 0); // a mini program socket sends no Origin
    h5.send({ type: 'message', data: 'same subject' });
    expect(await mp.next((f) => f.type === 'message')).toMatchObject({ data: 'same subject', from: 'h5' });
    await closeAll([h5, mp]);
  });
});

describe('user verifier', () => {
  test('async verifier decides the pairing key; false → 403, a throw → 401', async () => {
    const seen: string[] = [];
    const relay = await relayWith({
      verify: async ({ token, env }) => {
        seen.push(`${token}/${env}`);
        await settle(5);
        if (token === 'deny') return false;
        if (token.startsWith('user:')) return token.slice(5).split('#')[0];
        throw new Error('unknown token');
      },
    });
    expect((await upgradeStatus(socketUrl(relay, 'deny', 'h5'))).status).toBe(403);
    expect((await upgradeStatus(socketUrl(relay, 'who', 'h5'))).status).toBe(401);
    const h5 = await TestClient.open(relay, 'user:42#a', 'h5', 0);
    const mp = await TestClient.open(relay, 'user:42#b', 'miniapp', 0);
    mp.send({ type: 'message', data: 'paired by verifier key' });
    await h5.next((f) => f.type === 'message');
    expect(seen).toEqual(['deny/h5', 'who/h5', 'user:42#a/h5', 'user:42#b/miniapp']);
    await closeAll([h5, mp]);
  });

  test('a connection whose token expires is closed with 4501', async () => {
    const relay = await relayWith({ pingIntervalMs: 50, verify: async () => ({ key: 'k', expiresAt: Date.now() + 150 }) });
    const h5 = await TestClient.open(relay, 't', 'h5', 0);
    expect(await h5.waitClose()).toBe(4501);
  });
});

describe('open development mode', () => {
  test('without a secret the relay binds 127.0.0.1 whatever host is asked, and says so', async () => {
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
    const relay = await relayWith({ host: '0.0.0.0', logger });
    expect(relay.address()!.address).toBe('127.0.0.1');
    expect(warnings.join('\n')).toMatch(/OPEN DEVELOPMENT MODE/);
    expect(warnings.join('\n')).toMatch(/refusing to bind 0\.0\.0\.0/);
    const h5 = await TestClient.open(relay, 'anything', 'h5');
    expect(h5.frames[0].type).toBe('hello');
    await h5.close();
  });
});

describe('JWT keys and the migration flag at the upgrade', () => {
  test('a relay with a public key accepts RS256 tokens made by jsonwebtoken; old tokens only with legacyTokens', async () => {
    const { generateKeyPairSync } = await import('crypto');
    const jsonwebtoken = await import('jsonwebtoken');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const relay = await relayWith({ jwtPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), jwtAudience: 'relay' });
    const rs = jsonwebtoken.sign({ sub: 'rs-user' }, privateKey.export({ type: 'pkcs8', format: 'pem' }), { algorithm: 'RS256', expiresIn: 60, audience: 'relay' });
    const h5 = await TestClient.open(relay, rs, 'h5', 0);
    expect(h5.frames[0]).toMatchObject({ type: 'hello', env: 'h5' });
    const noAud = jsonwebtoken.sign({ sub: 'rs-user' }, privateKey.export({ type: 'pkcs8', format: 'pem' }), { algorithm: 'RS256', expiresIn: 60 });
    expect(await upgradeStatus(socketUrl(relay, noAud, 'miniapp'))).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    await h5.close();

    const { signLegacyToken } = require(`${DIST_SERVER}/legacy-token`);
    const old = signLegacyToken({ secret: SECRET, sub: 'old' });
    expect((await upgradeStatus(socketUrl(relay, old, 'h5'))).status).toBe(401);
    const strict = await relayWith({ secret: SECRET });
    expect((await upgradeStatus(socketUrl(strict, old, 'h5'))).status).toBe(401);
    const migrating = await relayWith({ secret: SECRET, legacyTokens: true });
    const viaOld = await TestClient.open(migrating, old, 'h5', 0);
    const viaJwt = await TestClient.open(migrating, await server.signToken({ secret: SECRET, sub: 'old' }), 'miniapp', 0);
    viaJwt.send({ type: 'message', data: 'old and new tokens of one subject pair' });
    expect(await viaOld.next((f) => f.type === 'message')).toMatchObject({ from: 'miniapp' });
    await closeAll([viaOld, viaJwt]);
  });
});
