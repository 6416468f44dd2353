/**
 * Replies for pages of the original navigate + hash helper: the value mapping, the hash shape, and
 * a property test that the helper itself (the fixture, run in a vm) reads back every value exactly.
 */
import { HybridError } from '../../src/core/errors';
import { errorReply, okReply } from '../../src/core/hash';
import { cmdMentionsVersion, encodeLegacyHash, legacyReplyValue } from '../../src/core/legacy-reply';
import { decodeCmd } from '../../src/core/navigate';
import { loadOldHelper } from '../fixtures/legacy/old-helper-vm';
import { seededRandom } from '../helpers/random';

test.each([
  ['undefined', okReply(), '0'],
  ['null', okReply(null), '0'],
  ['a string', okReply('a=b&c'), 'a=b&c'],
  ['an empty string', okReply(''), ''],
  ['a number', okReply(0), '0'],
  ['a boolean', okReply(true), 'true'],
  ['an object', okReply({ a: [1, '#'] }), '{"a":[1,"#"]}'],
  ['an array', okReply([1, 2]), '[1,2]'],
  ['an error', errorReply(new HybridError('METHOD_NOT_FOUND', 'no handler')), 'METHOD_NOT_FOUND'],
])('%s becomes its old value', (_name, payload, value) => {
  expect(legacyReplyValue(payload)).toBe(value);
});

test('the hash is the reply alone: <req>=<encoded value>&v=<nonce>', () => {
  expect(encodeLegacyHash('H5Req_ab12cd34ef', '100% = a&b #x +1', 'k9')).toBe('H5Req_ab12cd34ef=100%25%20%3D%20a%26b%20%23x%20%2B1&v=k9');
});

test('a value too long for the hash limit becomes PAYLOAD_TOO_LARGE (the caller is still answered)', () => {
  const limit = 64;
  const fits = 'x'.repeat(limit - 'H5Req_1=&v=n'.length);
  expect(encodeLegacyHash('H5Req_1', fits, 'n', limit)).toHaveLength(limit);
  expect(encodeLegacyHash('H5Req_1', fits + 'x', 'n', limit)).toBe('H5Req_1=PAYLOAD_TOO_LARGE&v=n');
});

test('a broken cmd is told apart by whether it carries our `v`', () => {
  expect(cmdMentionsVersion(encodeURIComponent('{"v":1,"req":"a","api":'))).toBe(true);
  expect(cmdMentionsVersion(encodeURIComponent(encodeURIComponent('{"v": 1,"req":"a"')))).toBe(true);
  expect(cmdMentionsVersion(encodeURIComponent('{"req":"a","api":'))).toBe(false);
  expect(cmdMentionsVersion('%E0%A4%A{"v":1')).toBe(true);
  expect(cmdMentionsVersion('%E0%A4%A')).toBe(false);
  expect(cmdMentionsVersion({ v: 1 })).toBe(true);
  expect(cmdMentionsVersion(undefined)).toBe(false);
});

const PIECES = ['=', '&', '%', '#', '+', ' ', '%25', '%2B', '?', '中文', '😀', '\u00e9', '"', '\\', '\n', 'a', '0', '\ud83d\udc4d\ud83c\udffd'];

test('property: whatever the value, the old helper reads back exactly that value from our hash', () => {
  const next = seededRandom(20240601);
  for (let run = 0; run < 300; run++) {
    const helper = loadOldHelper();
    let value = '';
    const length = Math.floor(next() * 12);
    for (let i = 0; i < length; i++) value += PIECES[Math.floor(next() * PIECES.length)];
    const got: string[] = [];
    helper.call('api', { run }, (v) => got.push(v));
    // The command the helper sent decodes to an old cmd (no `v`) with its req.
    const raw = helper.navigations[0].slice(helper.navigations[0].indexOf('cmd=') + 4);
    const decoded = decodeCmd(raw);
    if (!decoded.ok) throw decoded.error;
    expect(decoded.cmd.v).toBeUndefined();
    helper.setHash('#' + encodeLegacyHash(decoded.cmd.req, legacyReplyValue(okReply(value)), run.toString(36)));
    expect(got).toEqual([value]);
  }
});

test('the old helper ignores a hash that does not start with its req, and a reply for an older call', () => {
  const helper = loadOldHelper();
  const got: string[] = [];
  helper.call('a', {}, (v) => got.push('first:' + v));
  const firstReq = decodeCmd(helper.navigations[0].split('cmd=')[1]);
  helper.call('b', {}, (v) => got.push('second:' + v));
  const secondReq = decodeCmd(helper.navigations[1].split('cmd=')[1]);
  if (!firstReq.ok || !secondReq.ok) throw new Error('the fixture sent a broken cmd');
  helper.setHash('#/home&' + encodeLegacyHash(secondReq.cmd.req, 'x', 1)); // our fragment in front: ignored
  helper.setHash('#' + encodeLegacyHash(firstReq.cmd.req, 'x', 2)); // one call in flight: the first is forgotten
  helper.setHash('#' + encodeLegacyHash(secondReq.cmd.req, 'y', 3));
  expect(got).toEqual(['second:y']);
});
