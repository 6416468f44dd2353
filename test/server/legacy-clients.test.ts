/** What an old client (no `v` in its URL) gets for each stamped frame, and how its token is read. */
import { decodeFrame } from '../../src/core/frames';
import { stampFrame } from '../../src/server/hub';
import { innerJson } from '../../src/server/intake';
import { isLegacyUrl, legacyFrameText, rawQueryParam, rawTextFrame } from '../../src/server/legacy-clients';
import { seededRandom } from '../helpers/random';

/** What the relay stores and delivers for `text` sent by env `from` (intake + hub). */
function stamped(text: string, from = 'miniapp', seq = 1_700_000_000_123): string {
  return stampFrame(seq, `"from":${JSON.stringify(from)},` + innerJson(decodeFrame(text), text));
}

test('an old sender\'s {type,data} text reaches an old receiver byte for byte, stringified once more', () => {
  const text = '{"type":"note",  "data":"\\u4e2d \\"q\\"", "extra":[1,2.50]}';
  expect(legacyFrameText(stamped(text))).toBe(JSON.stringify(text));
});

test('a migrated sender\'s frames: message → {type: event, data}; our routing fields removed; protocol frames never', () => {
  expect(legacyFrameText(stamped('{"type":"message","event":"addMaterial","data":{"id":1},"id":"m1","to":"miniapp"}'))).toBe(
    JSON.stringify('{"type":"addMaterial","data":{"id":1}}'),
  );
  expect(legacyFrameText(stamped('{"type":"message","data":2}'))).toBe(JSON.stringify('{"type":"message","data":2}'));
  expect(legacyFrameText(stamped('{"type":"addMaterial","data":1,"to":"miniapp"}'))).toBe(JSON.stringify('{"type":"addMaterial","data":1}'));
  for (const text of ['{"type":"ack","id":"m1"}', '{"type":"request","id":"r1","api":"x"}', '{"type":"response","id":"r1","ok":true}']) {
    expect([text, legacyFrameText(stamped(text))]).toEqual([text, undefined]);
  }
});

test('an old sender\'s non-JSON text travels as a raw-text frame and is unwrapped for old receivers', () => {
  const wrapped = rawTextFrame('这是小程序消息 "quoted" \\ {');
  expect(decodeFrame(wrapped)).toEqual({ type: 'raw', data: '这是小程序消息 "quoted" \\ {' });
  expect(legacyFrameText(stamped(wrapped))).toBe(JSON.stringify('这是小程序消息 "quoted" \\ {'));
  // A frame of another sender that merely has type "raw" and more fields is a {type,data} frame like any other.
  expect(legacyFrameText(stamped('{"type":"raw","data":"x","n":1}'))).toBe(JSON.stringify('{"type":"raw","data":"x","n":1}'));
});

test('tokens: old clients (no v) keep a raw `+`; ours (v) are read by URLSearchParams; both name the same key', () => {
  const old = new URL('ws://h/socket?token=pa+ir/1=&env=h5');
  const ours = new URL(`ws://h/socket?token=${encodeURIComponent('pa+ir/1=')}&env=h5&v=1`);
  expect(isLegacyUrl(old)).toBe(true);
  expect(isLegacyUrl(ours)).toBe(false);
  expect(rawQueryParam(old, 'token')).toBe('pa+ir/1=');
  expect(ours.searchParams.get('token')).toBe('pa+ir/1=');
  expect(rawQueryParam(new URL('ws://h/s?token=a%2Bb%20c'), 'token')).toBe('a+b c');
  expect(rawQueryParam(new URL('ws://h/s?token=%E4%zz'), 'token')).toBe('%E4%zz'); // broken encoding: as written
  expect(rawQueryParam(new URL('ws://h/s?env=h5'), 'token')).toBeNull();
});

test('property: any old client {type,data} text (no routing fields) comes back exactly as JSON.stringify(text)', () => {
  const next = seededRandom(11);
  const values = ['1', '-0.50', '"s"', '"中文 😀"', '"\\u00e9\\n"', 'true', 'null', '[1, "a"]', '{"k": {"d": [ ]}}', '"= & % # +"'];
  const types = ['addMaterial', 'note', 'x.y', '中文', 'a b'];
  const pick = <T,>(list: T[]) => list[Math.floor(next() * list.length)];
  for (let i = 0; i < 2000; i++) {
    const space = () => (next() < 0.3 ? ' ' : '');
    const fields = [`"type":${space()}${JSON.stringify(pick(types))}`, `"data":${space()}${pick(values)}`];
    if (next() < 0.3) fields.push(`"extra${i}":${pick(values)}`);
    if (next() < 0.5) fields.reverse();
    const text = '{' + fields.join(',' + space()) + '}';
    expect([text, legacyFrameText(stamped(text, pick(['h5', 'miniapp']), 1 + i))]).toEqual([text, JSON.stringify(text)]);
  }
});
