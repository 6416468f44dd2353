/** bridge-webview's hash queue (built module): an item that can never be written is refused, the rest flows. */
import { mpModule } from '../helpers/mp-dist';

const { HashQueue } = mpModule('components/bridge-webview/hash-queue');
const hash = mpModule('core/hash');

test('a reply whose req is not well-formed Unicode is refused with its error and does not jam later replies and pushes', () => {
  const q = new HashQueue();
  const refused = q.add([
    { kind: 'reply', req: '\ud800', payload: { ok: true, data: 1 } },
    { kind: 'reply', req: 'r2', payload: { ok: true, data: 2 } },
    { kind: 'push', push: { id: 'p1', event: 'e', data: 3 } },
  ]);
  expect(refused).toHaveLength(1);
  expect(refused[0].item.req).toBe('\ud800');
  expect(refused[0].error).toMatchObject({ code: 'BAD_REQUEST' });
  const { hash: written } = q.nextHash('n1');
  const { entries } = hash.decodeHash(written);
  expect(entries).toEqual([
    { key: 'r2', value: { ok: true, data: 2 } },
    { key: '_hkpush', value: [{ id: 'p1', event: 'e', data: 3 }] },
  ]);
  expect(q.length).toBe(0);
});

test('a reply whose data JSON cannot carry is answered with that error instead', () => {
  const q = new HashQueue();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(q.add([{ kind: 'reply', req: 'r1', payload: { ok: true, data: cyclic } }])).toEqual([]);
  const { entries } = hash.decodeHash(q.nextHash('n1').hash);
  expect(entries[0].key).toBe('r1');
  expect(entries[0].value).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
});
