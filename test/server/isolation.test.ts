import { closeAll, Relay, settle, startRelay, TestClient } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

let relay: Relay;
beforeAll(async () => {
  relay = await startRelay({ ratePerSecond: 0 });
});
afterAll(() => relay.close());

test('no frame ever reaches another token (60 tokens × 2 envs, every message traced)', async () => {
  const TOKENS = 60;
  const PER_SIDE = 5;
  const pairs = await Promise.all(
    Array.from({ length: TOKENS }, async (_, i) => {
      // Look-alike tokens on purpose: iso-1 and iso-10, iso-2 and iso-20…
      const token = i % 2 ? `iso-${i}` : `iso-${i}0`;
      const mp = await TestClient.open(relay, token, 'miniapp', 0);
      const h5 = await TestClient.open(relay, token, 'h5', 0);
      return { token, mp, h5 };
    }),
  );
  for (const { token, mp, h5 } of pairs) {
    for (let n = 0; n < PER_SIDE; n++) {
      mp.send({ type: 'message', data: { token, from: 'miniapp', n } });
      h5.send({ type: 'request', id: `${token}-${n}`, api: 'a', params: { token, from: 'h5', n } });
      h5.send({ type: 'custom', data: { token, from: 'h5', n } }); // relay format
    }
  }
  await Promise.all(pairs.map(({ mp, h5 }) => Promise.all([
    h5.count((f) => f.type === 'message', PER_SIDE),
    mp.count((f) => f.type === 'request', PER_SIDE),
    mp.count((f) => f.type === 'custom', PER_SIDE),
  ])));
  await settle(150);
  let checked = 0;
  for (const { token, mp, h5 } of pairs) {
    const forwarded = (c: TestClient) => c.frames.filter((f) => f.seq !== undefined);
    for (const f of forwarded(h5)) {
      expect(f.data.token).toBe(token);
      checked++;
    }
    for (const f of forwarded(mp)) {
      expect((f.data || f.params).token).toBe(token);
      checked++;
    }
    expect(forwarded(h5)).toHaveLength(PER_SIDE);
    expect(forwarded(mp)).toHaveLength(2 * PER_SIDE);
    expect(mp.of('presence').every((p) => p.env === 'h5')).toBe(true);
  }
  expect(checked).toBe(TOKENS * 3 * PER_SIDE);
  expect(relay.metrics().pairs).toBe(TOKENS);
  await closeAll(pairs.flatMap(({ mp, h5 }) => [mp, h5]));
});
