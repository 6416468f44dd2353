import { HybridError } from '../../src/core/errors';
import { checkName, isPlainObject, parseJson, stringifyJson } from '../../src/core/json';
import { LIMITS } from '../../src/core/limits';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

function errorOf(fn: () => unknown): HybridError {
  try {
    fn();
  } catch (err) {
    return err as HybridError;
  }
  throw new Error('expected a throw');
}

test('parseJson: bad JSON is BAD_REQUEST naming what was parsed', () => {
  for (const text of ['', '{', "{'a':1}", 'undefined', '{"a":1}}', '\uFEFF{}']) {
    const err = errorOf(() => parseJson(text, 'cmd'));
    expect(err).toBeInstanceOf(HybridError);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^cmd is not valid JSON/);
  }
});

test('parseJson: brackets inside strings (escaped quotes too) do not count as nesting', () => {
  const text = JSON.stringify({ a: '[[[[[[', b: 'say \\"{{{{" ok', c: [[1]] });
  expect(parseJson(text, 'x', 3)).toEqual({ a: '[[[[[[', b: 'say \\"{{{{" ok', c: [[1]] });
  expect(errorOf(() => parseJson(JSON.stringify({ c: [[[1]]] }), 'x', 3)).message).toMatch(/nested deeper than 3/);
});

test('parseJson: objects and arrays count together (no kind alone passes the limit)', () => {
  expect(errorOf(() => parseJson('{"a":[{"b":[1]}]}', 'x', 3)).message).toMatch(/nested deeper than 3/);
  expect(parseJson('{"a":[{"b":1}]}', 'x', 3)).toEqual({ a: [{ b: 1 }] });
});

test('parseJson: nesting up to the limit passes, one level more is refused, hostile depth does not crash', () => {
  expect(parseJson(nested(LIMITS.maxDepth), 'x')).toBeDefined();
  expect(errorOf(() => parseJson(nested(LIMITS.maxDepth + 1), 'x')).message).toMatch(/nested deeper than 32/);
  expect(errorOf(() => parseJson(nested(3), 'x', 2)).code).toBe('BAD_REQUEST');
  // 100k levels: refused from the text, before JSON.parse sees it.
  expect(errorOf(() => parseJson(nested(100_000), 'x')).code).toBe('BAD_REQUEST');
  const wide = JSON.stringify({ a: Array.from({ length: 10_000 }, (_, i) => ({ i })) });
  expect((parseJson(wide, 'x') as { a: unknown[] }).a).toHaveLength(10_000);
});

test('parseJson keeps emoji, Chinese, % and + intact; scalars are fine', () => {
  const value = { text: '你好 🙂 100% a+b', n: 1.5, nil: null };
  expect(parseJson(JSON.stringify(value), 'x')).toEqual(value);
  expect(parseJson('"s"', 'x')).toBe('s');
  expect(parseJson('12', 'x')).toBe(12);
});

test('stringifyJson: cycles, BigInt, undefined and functions are BAD_REQUEST', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  for (const value of [cyclic, { n: BigInt(1) }, undefined, () => 1]) {
    const err = errorOf(() => stringifyJson(value, 'payload'));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^payload cannot be encoded as JSON/);
  }
  expect(stringifyJson({ a: [1, '二'] }, 'x')).toBe('{"a":[1,"二"]}');
});

test('checkName: non-empty bounded strings only', () => {
  expect(checkName('req_1', 'req')).toBe('req_1');
  expect(checkName('x'.repeat(LIMITS.maxNameLength), 'req')).toHaveLength(LIMITS.maxNameLength);
  for (const bad of ['', 5, null, undefined, {}, ['a']]) expect(errorOf(() => checkName(bad, 'req')).message).toBe('"req" must be a non-empty string');
  expect(errorOf(() => checkName('x'.repeat(LIMITS.maxNameLength + 1), 'id')).message).toBe('"id" is longer than 128 characters');
  expect(errorOf(() => checkName('abcd', 'id', 3)).code).toBe('BAD_REQUEST');
});

test('isPlainObject', () => {
  expect([{}, { a: 1 }].map(isPlainObject)).toEqual([true, true]);
  expect([null, [], 'x', 1, undefined].map(isPlainObject)).toEqual([false, false, false, false, false]);
});
