/**
 * JWT tokens at the boundary: minted by `jose` and by `jsonwebtoken` (a JWT made without this
 * package), keys from a secret, a PEM public key and a JWKS served over real HTTP on 127.0.0.1
 * (rotation included); refused: every one-character alteration, expired, wrong key, wrong
 * audience/issuer, not yet valid, `alg: none`, algorithm confusion, malformed subjects.
 */
import { generateKeyPairSync, KeyObject } from 'crypto';
import * as http from 'http';
import * as jose from 'jose';
import * as jsonwebtoken from 'jsonwebtoken';
import { signLegacyToken } from '../../src/server/legacy-token';
import { createTokenCheck, signToken, TokenCheck, verifyToken } from '../../src/server/tokens';
import { isCanonicalBase64url } from '../../src/server/token-format';

// Generous: the alteration tests verify ~20,000 tokens each; they assert counts, not speed.
jest.setTimeout(120_000);

const SECRET = 'a-shared-secret-of-reasonable-length';
const now = () => Math.floor(Date.now() / 1000);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();

const refused = (check: TokenCheck, token: string) =>
  check(token).then(
    (claims) => ({ accepted: claims }),
    (err) => ({ code: err.code, message: err.message }),
  );

/** Every one-character alteration: each position replaced by each printable ASCII char, a few insertions, each deletion. */
function alterations(token: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < token.length; i++) {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (ch !== token[i]) out.push(token.slice(0, i) + ch + token.slice(i + 1));
    }
    out.push(token.slice(0, i) + token.slice(i + 1));
  }
  for (let i = 0; i <= token.length; i++) for (const ch of ['=', ' ', '%', '.', '+', '/', 'A', '-', '_', '\n']) out.push(token.slice(0, i) + ch + token.slice(i));
  return out;
}

async function countAccepted(check: TokenCheck, variants: string[]): Promise<string[]> {
  const accepted: string[] = [];
  for (const variant of variants) {
    try {
      await check(variant);
      accepted.push(variant);
    } catch (err) {
      expect((err as { code: string }).code).toBe('UNAUTHORIZED');
    }
  }
  return accepted;
}

describe('HS256 with a shared secret', () => {
  const check = createTokenCheck({ secret: SECRET, audience: 'relay', issuer: 'https://backend.example.com' });

  test('tokens minted by jsonwebtoken, by jose and by signToken are accepted', async () => {
    const fromJsonwebtoken = jsonwebtoken.sign({ sub: 'user-1' }, SECRET, { algorithm: 'HS256', expiresIn: 60, audience: 'relay', issuer: 'https://backend.example.com' });
    expect(await check(fromJsonwebtoken)).toEqual({ sub: 'user-1', exp: expect.any(Number) });
    const fromJose = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('user-2').setExpirationTime('1m')
      .setAudience('relay').setIssuer('https://backend.example.com').sign(new TextEncoder().encode(SECRET));
    expect((await check(fromJose)).sub).toBe('user-2');
    const ours = await signToken({ secret: SECRET, sub: '用户-3', ttl: 60, audience: 'relay', issuer: 'https://backend.example.com' });
    expect(await check(ours)).toEqual({ sub: '用户-3', exp: now() + 60 });
    // The other side reads ours as a standard JWT too.
    expect(jsonwebtoken.verify(ours, SECRET, { algorithms: ['HS256'], audience: 'relay' })).toMatchObject({ sub: '用户-3', iss: 'https://backend.example.com' });
  });

  test('every one-character alteration of a valid token is refused', async () => {
    const token = jsonwebtoken.sign({ sub: 'u' }, SECRET, { algorithm: 'HS256', expiresIn: 600, audience: 'relay', issuer: 'https://backend.example.com' });
    const variants = alterations(token);
    expect(variants.length).toBeGreaterThan(token.length * 90);
    expect(await countAccepted(check, variants)).toEqual([]);
  });

  test('expired, not yet valid, wrong secret, wrong audience or issuer, missing claims: refused with the reason', async () => {
    const sign = (claims: object, options: jsonwebtoken.SignOptions = {}, secret = SECRET) =>
      jsonwebtoken.sign(claims, secret, { algorithm: 'HS256', audience: 'relay', issuer: 'https://backend.example.com', ...options });
    expect(await refused(check, sign({ sub: 'u', exp: now() - 60 }))).toEqual({ code: 'UNAUTHORIZED', message: 'token has expired' });
    expect(await refused(check, sign({ sub: 'u', nbf: now() + 60 }, { expiresIn: 600 }))).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/nbf/) });
    expect(await refused(check, sign({ sub: 'u' }, { expiresIn: 60 }, 'another-secret'))).toEqual({ code: 'UNAUTHORIZED', message: 'token signature is invalid' });
    expect(await refused(check, sign({ sub: 'u' }, { expiresIn: 60, audience: 'someone-else' }))).toMatchObject({ message: expect.stringMatching(/aud/) });
    expect(await refused(check, sign({ sub: 'u' }, { expiresIn: 60, issuer: 'https://evil.example.com' }))).toMatchObject({ message: expect.stringMatching(/iss/) });
    expect(await refused(check, sign({ sub: 'u' }))).toMatchObject({ message: expect.stringMatching(/exp/) }); // no exp at all
    expect(await refused(check, sign({}, { expiresIn: 60 }))).toMatchObject({ message: expect.stringMatching(/sub/) });
    expect(await refused(check, sign({ sub: 'a\ud800' }, { expiresIn: 60 }))).toMatchObject({ message: expect.stringMatching(/well-formed/) });
    expect(await refused(check, sign({ sub: 'x'.repeat(257) }, { expiresIn: 60 }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await refused(check, 'garbage')).toEqual({ code: 'UNAUTHORIZED', message: 'malformed token' });
  });

  test('alg none is refused, whoever made it', async () => {
    const unsigned = jsonwebtoken.sign({ sub: 'u', aud: 'relay', iss: 'https://backend.example.com' }, '', { algorithm: 'none', expiresIn: 60 });
    expect(unsigned.endsWith('.')).toBe(true);
    expect(await refused(check, unsigned)).toMatchObject({ code: 'UNAUTHORIZED' });
    const joseUnsecured = new jose.UnsecuredJWT({ sub: 'u', aud: 'relay', iss: 'https://backend.example.com' }).setExpirationTime('1m').encode();
    expect(await refused(check, joseUnsecured)).toMatchObject({ code: 'UNAUTHORIZED' });
    // The same with a signature part made up: the header still says none.
    expect(await refused(check, joseUnsecured + 'AAAA')).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  test('clock tolerance: a token expired 3 s ago passes with 5 s of tolerance, not with 0', async () => {
    const token = await signToken({ secret: SECRET, sub: 'u', ttl: 10, now: Date.now() - 13_000 });
    expect((await verifyToken(token, { secret: SECRET, clockToleranceSec: 5 })).sub).toBe('u');
    expect(await refused(createTokenCheck({ secret: SECRET, clockToleranceSec: 0 }), token)).toMatchObject({ message: 'token has expired' });
  });

  test('signToken refuses what it cannot sign well', async () => {
    await expect(signToken({ secret: '', sub: 'u' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(signToken({ secret: SECRET, sub: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // Lone surrogates would encode to U+FFFD: two subjects, one token. Refused.
    await expect(signToken({ secret: SECRET, sub: 'a\ud800' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/well-formed/) });
    await expect(signToken({ secret: SECRET, sub: 'a\udc00' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await verifyToken(await signToken({ secret: SECRET, sub: 'a😀' }), SECRET)).sub).toBe('a😀'); // a surrogate pair is fine
    await expect(signToken({ secret: SECRET, sub: 'u', ttl: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('RS256 / ES256 with a public key', () => {
  const check = createTokenCheck({ publicKey: pem(rsa.publicKey, 'spki') });
  const ecCheck = createTokenCheck({ publicKey: pem(ec.publicKey, 'spki') });

  test('RS256 from jsonwebtoken and from signToken; ES256 against an EC key', async () => {
    expect((await check(jsonwebtoken.sign({ sub: 'r1' }, pem(rsa.privateKey, 'pkcs8'), { algorithm: 'RS256', expiresIn: 60 }))).sub).toBe('r1');
    expect((await check(await signToken({ sub: 'r2', privateKey: pem(rsa.privateKey, 'pkcs8'), algorithm: 'RS256' }))).sub).toBe('r2');
    const es = await signToken({ sub: 'e1', privateKey: pem(ec.privateKey, 'pkcs8'), algorithm: 'ES256' });
    expect((await ecCheck(es)).sub).toBe('e1');
    expect((await ecCheck(jsonwebtoken.sign({ sub: 'e2' }, pem(ec.privateKey, 'pkcs8'), { algorithm: 'ES256', expiresIn: 60 }))).sub).toBe('e2');
    expect(await refused(check, es)).toMatchObject({ code: 'UNAUTHORIZED' }); // ES256 token, RSA key
  });

  test('wrong key, and HS256 signed with the public key text (algorithm confusion), are refused', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await refused(check, jsonwebtoken.sign({ sub: 'u' }, pem(other.privateKey, 'pkcs8'), { algorithm: 'RS256', expiresIn: 60 }))).toMatchObject({
      code: 'UNAUTHORIZED', message: 'token signature is invalid',
    });
    const confused = await new jose.SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m')
      .sign(new TextEncoder().encode(pem(rsa.publicKey, 'spki')));
    expect(await refused(check, confused)).toMatchObject({ code: 'UNAUTHORIZED', message: 'token algorithm is not allowed' });
  });

  test('every one-character alteration of an ES256 token is refused', async () => {
    const token = await signToken({ sub: 'u', privateKey: pem(ec.privateKey, 'pkcs8'), algorithm: 'ES256', ttl: 600 });
    expect(await countAccepted(ecCheck, alterations(token))).toEqual([]);
  });
});

describe('JWKS over HTTP (127.0.0.1), with key rotation', () => {
  let keys: jose.JWK[] = [];
  let fetches = 0;
  const jwksServer = http.createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => jwksServer.close(resolve)));

  const publicJwk = async (key: KeyObject, kid: string, alg: string) => ({ ...(await jose.exportJWK(key)), kid, alg, use: 'sig' });

  test('keys are picked by kid; a new kid triggers a refetch; a removed key stops working', async () => {
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = [await publicJwk(rsa.publicKey, 'k1', 'RS256'), await publicJwk(ec.publicKey, 'e1', 'ES256')];
    const check = createTokenCheck({ jwksUrl: url, jwksCooldownMs: 0, audience: 'relay' });
    const mint = (privateKey: KeyObject, keyId: string, algorithm: 'RS256' | 'ES256' = 'RS256') =>
      signToken({ sub: `by-${keyId}`, privateKey: pem(privateKey, 'pkcs8'), algorithm, keyId, audience: 'relay' });
    expect((await check(await mint(rsa.privateKey, 'k1'))).sub).toBe('by-k1');
    expect((await check(await mint(ec.privateKey, 'e1', 'ES256'))).sub).toBe('by-e1');
    expect(fetches).toBe(1);
    // Rotation: the issuer publishes k2 and drops k1.
    keys = [await publicJwk(second.publicKey, 'k2', 'RS256')];
    expect((await check(await mint(second.privateKey, 'k2'))).sub).toBe('by-k2');
    expect(fetches).toBe(2);
    expect(await refused(check, await mint(rsa.privateKey, 'k1'))).toMatchObject({ code: 'UNAUTHORIZED' });
    // A token signed by a key the set never had, under a kid it has: bad signature.
    expect(await refused(check, await mint(rsa.privateKey, 'k2'))).toMatchObject({ message: 'token signature is invalid' });
    expect(await refused(check, jsonwebtoken.sign({ sub: 'u', aud: 'relay' }, SECRET, { algorithm: 'HS256', expiresIn: 60, keyid: 'k2' }))).toMatchObject({
      message: 'token algorithm is not allowed',
    });
  });
});

describe('old sub.exp.hmac tokens (migration period)', () => {
  test('refused unless legacyTokens is on; then accepted next to JWTs', async () => {
    const old = signLegacyToken({ secret: SECRET, sub: 'old-user', ttl: 60 });
    expect(await refused(createTokenCheck({ secret: SECRET }), old)).toMatchObject({ code: 'UNAUTHORIZED' });
    const migrating = createTokenCheck({ secret: SECRET, legacyTokens: true });
    expect(await migrating(old)).toEqual({ sub: 'old-user', exp: now() + 60 });
    expect((await migrating(await signToken({ secret: SECRET, sub: 'new-user' }))).sub).toBe('new-user');
    const expired = signLegacyToken({ secret: SECRET, sub: 'u', ttl: 1, now: Date.now() - 60_000 });
    expect(await refused(migrating, expired)).toEqual({ code: 'UNAUTHORIZED', message: 'token has expired' });
  });

  test('every one-character alteration is refused (the signature is compared as canonical text)', async () => {
    const migrating = createTokenCheck({ secret: SECRET, legacyTokens: true });
    const old = signLegacyToken({ secret: SECRET, sub: 'user-1', ttl: 600 });
    const variants = alterations(old);
    // The lenient decoder the old format used reads many of these as the same signature bytes.
    const sig = old.split('.')[2];
    const sameBytes = variants.filter((v) => v.split('.').length === 3 && v.split('.')[2] !== sig && Buffer.from(v.split('.')[2], 'base64url').equals(Buffer.from(sig, 'base64url')));
    expect(sameBytes.length).toBeGreaterThan(10);
    expect(await countAccepted(migrating, variants)).toEqual([]);
  });

  test('signLegacyToken refuses subjects that are not well-formed Unicode', () => {
    expect(() => signLegacyToken({ secret: SECRET, sub: 'a\ud800' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => signLegacyToken({ secret: SECRET, sub: 'a\udc00' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

test('isCanonicalBase64url: only the one spelling of the bytes', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0x01]);
  const canonical = bytes.toString('base64url');
  expect(isCanonicalBase64url(canonical)).toBe(true);
  for (const other of [bytes.toString('base64'), canonical + '=', ` ${canonical}`, 'AB', 'AR']) expect([other, isCanonicalBase64url(other)]).toEqual([other, false]);
  expect(isCanonicalBase64url('AQ')).toBe(true);
});
