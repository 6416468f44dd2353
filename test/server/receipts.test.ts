/** Receipts: a confirmation becomes one `delivered` notice per sender env (chunked), a loss one error per message. */
import * as path from 'path';
import type * as ReceiptsModule from '../../src/server/receipts';
import { DIST_SERVER } from './helpers';

const { Receipts, IDS_PER_NOTICE } = require(path.join(DIST_SERVER, 'receipts')) as typeof ReceiptsModule;

function setup() {
  const sent: Array<{ key: string; from: string; to: string; frame: Record<string, unknown> }> = [];
  const counts = { delivered: 0, trimmed: 0, dropped: 0 };
  const receipts = new Receipts((key, from, to, tail, done) => {
    sent.push({ key, from, to, frame: JSON.parse('{' + tail) });
    done(null);
  }, {
    delivered: (n = 1) => void (counts.delivered += n),
    trimmed: (_r, n = 1) => void (counts.trimmed += n),
    dropped: (_r, n = 1) => void (counts.dropped += n),
  });
  return { receipts, sent, counts };
}

test('one sender: one notice with every id in order', () => {
  const { receipts, sent, counts } = setup();
  receipts.delivered('k', 'miniapp', [['h5', 'a'], ['h5', 'b'], ['h5', 'c']]);
  expect(sent).toEqual([{ key: 'k', from: 'miniapp', to: 'h5', frame: { from: 'miniapp', type: 'delivered', ids: ['a', 'b', 'c'] } }]);
  expect(counts.delivered).toBe(3);
});

test('several senders, interleaved: one notice per sender, in order of first appearance, ids in order', () => {
  const { receipts, sent } = setup();
  receipts.delivered('k', 'miniapp', [['h5', 'a'], ['pc', 'x'], ['h5', 'b'], ['pc', 'y'], ['h5', 'c']]);
  expect(sent.map((s) => [s.to, s.frame.ids])).toEqual([['h5', ['a', 'b', 'c']], ['pc', ['x', 'y']]]);
});

test('more ids than a notice holds: chunks of IDS_PER_NOTICE; nothing confirmed: no notice', () => {
  const { receipts, sent } = setup();
  const ids = Array.from({ length: IDS_PER_NOTICE * 2 + 1 }, (_, i) => `m${i}`);
  receipts.delivered('k', 'miniapp', ids.map((id) => ['h5', id] as [string, string]));
  expect(sent.map((s) => (s.frame.ids as string[]).length)).toEqual([IDS_PER_NOTICE, IDS_PER_NOTICE, 1]);
  expect(sent.flatMap((s) => s.frame.ids as string[])).toEqual(ids);
  receipts.delivered('k', 'miniapp', []);
  expect(sent).toHaveLength(3);
});

test('losses: counted, and one error frame per reliable message to its sender', () => {
  const { receipts, sent, counts } = setup();
  receipts.lost('k', 'miniapp', 3, [['h5', 'a'], ['pc', 'b']], 'items');
  expect(counts).toMatchObject({ trimmed: 3, dropped: 3 });
  expect(sent.map((s) => [s.to, s.frame.code, s.frame.id])).toEqual([['h5', 'QUEUE_FULL', 'a'], ['pc', 'QUEUE_FULL', 'b']]);
});
