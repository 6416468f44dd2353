/**
 * Socket client against unlucky and hostile peers, through our relay (the built src/server): newer
 * error codes, requests that time out while queued.
 */
import { HybridError } from '../../src/core/errors';
import { Relay } from '../server/helpers';
import { Rig, sleep, startRelayRig, waitFor, waitState } from './socket-fixture';

let rig: Rig<Relay>;
beforeEach(async () => {
  rig = await startRelayRig();
});
afterEach(() => rig.teardown());

test('an error code this build does not know settles the request with that code (not BAD_REQUEST, not TIMEOUT)', async () => {
  const mp = rig.client({ env: 'miniapp' });
  const h5 = rig.client({ env: 'h5' });
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  h5.onRequest(() => {
    throw new HybridError('NEWER_CODE', 'from a newer peer');
  });
  const bad: unknown[] = [];
  mp.on('error', (e) => bad.push(e));
  await expect(mp.request('x', null, { to: 'h5', timeout: 2000 })).rejects.toMatchObject({ code: 'NEWER_CODE', message: 'from a newer peer' });
  expect(bad).toEqual([]);
});

test('a request that times out while queued is never sent when the socket opens', async () => {
  const h5 = rig.client({ env: 'h5' });
  const served: string[] = [];
  h5.onRequest((api, params) => {
    served.push(api);
    return params;
  });
  h5.connect();
  await waitState(h5, 'open');
  const mp = rig.client({ env: 'miniapp' });
  const drops: string[] = [];
  mp.on('drop', ({ frame, reason }) => drops.push(`${frame.type}:${reason}`));
  const late = mp.request('late', 1, { to: 'h5', timeout: 30 });
  const kept = mp.request('echo', 2, { to: 'h5', timeout: 3000 });
  expect(mp.stats().queued).toBe(2);
  await expect(late).rejects.toMatchObject({ code: 'TIMEOUT' });
  mp.connect();
  await waitState(mp, 'open');
  await expect(kept).resolves.toBe(2);
  await sleep(50);
  // The peer that serves every request the relay forwards saw only the one still wanted.
  expect(served).toEqual(['echo']);
  expect(drops).toEqual(['request:expired']);
});
