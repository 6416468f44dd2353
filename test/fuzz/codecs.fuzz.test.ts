/**
 * Property-based fuzzing of the three decoders (fast-check, fixed seed, 10,000+ inputs each):
 * random text, mutated valid encodings, huge and deep input, lone surrogates, `__proto__` keys.
 * A decoder never throws anything but a HybridError with a known code (decodeHash and decodeCmd
 * never throw at all), never pollutes Object.prototype, and valid values round-trip exactly.
 */
import fc from 'fast-check';
import { BATCH_SEPARATOR, batchLimitsOf, isBatch, joinBatches, splitBatch } from '../../src/core/batch';
import { ERROR_CODES, HybridError } from '../../src/core/errors';
import { decodeFrame, encodeFrame, Frame } from '../../src/core/frames';
import { decodeHash, encodeHash, HashEntry } from '../../src/core/hash';
import { LIMITS } from '../../src/core/limits';
import { decodeCmd, encodeCmd } from '../../src/core/navigate';

const SEED = 1302;
const RUNS = 10_000;
const params = { seed: SEED, numRuns: RUNS };

// Each suite runs 10,000+ inputs; on a loaded 2-core CI machine that takes a few seconds.
jest.setTimeout(120_000);

/** Strings that stress the codecs: any UTF-16 (lone surrogates included), escapes, JSON punctuation. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('%', 'E', '4', '2', '5', 'B', '{', '"', '[', ']', '}', ':', ',', '&', '=', '#', '\\', '\ud800', '\udc00', 'a'), maxLength: 80 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'prototype', '', 'v', '_hkpush'),
);

/** JSON values with hostile keys and strings, bounded in size. */
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Replaces, inserts or deletes a few characters of a valid encoding. */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }));
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) => {
    let out = text;
    for (const [at, op, s] of edits) {
      const i = out.length ? at % out.length : 0;
      out = op === 'delete' ? out.slice(0, i) + out.slice(i + 1) : out.slice(0, i) + s + out.slice(op === 'replace' ? i + 1 : i);
    }
    return out;
  });
}

const deep = fc.integer({ min: LIMITS.maxDepth - 2, max: 400 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const huge = fc.constantFrom('%E4', 'a=x&', '{"a":', '\ud800', '[').map((unit) => unit.repeat(1 + Math.ceil((3 * LIMITS.maxFrameBytes) / unit.length)));

function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
}

/** decodeFrame either returns a frame or throws a HybridError with a known code. */
function decodeOrHybrid(text: string): Frame | HybridError {
  try {
    return decodeFrame(text);
  } catch (err) {
    if (!(err instanceof HybridError) || (ERROR_CODES as readonly string[]).indexOf(err.code) < 0) throw err;
    return err;
  }
}

const validFrame = fc.oneof(
  fc.record({ type: fc.constant('message' as const), id: fc.string({ minLength: 1, maxLength: 20 }), event: fc.string({ minLength: 1, maxLength: 20 }), data: json }),
  fc.record({ type: fc.constant('request' as const), id: fc.string({ minLength: 1, maxLength: 20 }), api: fc.string({ minLength: 1, maxLength: 20 }), params: json }),
  fc.record({ type: fc.constant('ack' as const), id: fc.string({ minLength: 1, maxLength: 20 }) }),
  fc.record({ type: fc.constant('ping' as const), ts: fc.integer({ min: 0 }), lastSeq: fc.nat() }),
);

describe('socket frames', () => {
  test('random, mutated, huge and deep text: a frame or a HybridError with a known code', () => {
    const input = fc.oneof(
      { weight: 3, arbitrary: nasty },
      { weight: 4, arbitrary: mutated(validFrame.map((f) => encodeFrame(f as Frame))) },
      { weight: 1, arbitrary: deep },
      { weight: 1, arbitrary: deep.map((d) => `{"type":"message","data":${d}}`) },
      { weight: 1, arbitrary: fc.constantFrom('{"type":"message","__proto__":{"polluted":1}}', '{"type":"__proto__"}', '{"type":"constructor","data":1}') },
    );
    fc.assert(fc.property(input, (text) => {
      decodeOrHybrid(text);
    }), params);
    for (const big of fc.sample(huge, { seed: SEED, numRuns: 5 })) expect(decodeOrHybrid(big)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expectNoPollution();
  });

  test('valid frames round-trip exactly', () => {
    fc.assert(fc.property(validFrame, (frame) => {
      const text = encodeFrame(frame as Frame);
      expect(decodeFrame(text)).toEqual(JSON.parse(text));
    }), params);
  });
});

describe('navigate cmds', () => {
  const validCmd = fc.record({ req: fc.string({ minLength: 1, maxLength: 30 }), api: fc.string({ minLength: 1, maxLength: 30 }), params: json });
  const wellFormed = (s: string) => { try { encodeURIComponent(s); return true; } catch { return false; } };

  test('random, mutated, doubly encoded, huge: decodeCmd never throws; failures carry a code and a well-formed req', () => {
    const encoded = validCmd.filter((c) => wellFormed(c.req) && wellFormed(c.api)).map((c) => encodeCmd(c, Infinity));
    const input = fc.oneof(
      { weight: 3, arbitrary: nasty },
      { weight: 4, arbitrary: mutated(encoded) },
      { weight: 2, arbitrary: mutated(encoded.map((e) => encodeURIComponent(e))) },
      { weight: 1, arbitrary: deep },
      { weight: 1, arbitrary: fc.constantFrom('{"req":"r","api":"a","__proto__":{"polluted":1}}', '{"req":"\\ud800","api":"a"}') },
    );
    fc.assert(fc.property(input, (raw) => {
      const result = decodeCmd(raw);
      if (!result.ok) {
        expect(ERROR_CODES).toContain(result.error.code);
        if (result.req !== undefined) expect(wellFormed(result.req)).toBe(true);
      } else expect(wellFormed(result.cmd.req)).toBe(true);
    }), params);
    for (const big of fc.sample(huge, { seed: SEED, numRuns: 5 })) expect(decodeCmd(big)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expectNoPollution();
  });

  test('valid cmds round-trip exactly (decoded, encoded once, encoded twice)', () => {
    fc.assert(fc.property(validCmd.filter((c) => wellFormed(c.req) && wellFormed(c.api) && c.req.length <= 128 && c.api.length <= 128), (cmd) => {
      const once = encodeCmd(cmd, Infinity);
      const expected = JSON.parse(JSON.stringify({ v: 1, req: cmd.req, api: cmd.api, params: cmd.params }));
      for (const raw of [decodeURIComponent(once), once, encodeURIComponent(once)]) {
        const result = decodeCmd(raw, Infinity);
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message} for ${raw.slice(0, 80)}`);
        expect(result.cmd).toEqual(expected);
      }
    }), { ...params, numRuns: RUNS / 2 });
  });
});

describe('web-view hashes', () => {
  const entry = fc.record({ key: fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== 'v'), value: json });

  test('random, mutated, huge: decodeHash never throws and returns plain entries', () => {
    const valid = fc.array(entry, { maxLength: 5 }).map((entries) => {
      try {
        return encodeHash(entries as HashEntry[], 'n', Infinity);
      } catch {
        return ''; // a key with a lone surrogate cannot be encoded at all
      }
    });
    const input = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 4, arbitrary: mutated(valid) }, { weight: 1, arbitrary: deep.map((d) => 'r=' + d) });
    fc.assert(fc.property(input, (text) => {
      const { entries } = decodeHash(text);
      for (const e of entries) expect(typeof e.key).toBe('string');
    }), params);
    for (const big of fc.sample(huge, { seed: SEED, numRuns: 5 })) expect(decodeHash(big)).toEqual({ entries: [] });
    expectNoPollution();
  });

  test('valid entries round-trip exactly', () => {
    const encodable = fc.array(entry, { maxLength: 5 }).filter((entries) => {
      try {
        encodeHash(entries as HashEntry[], 'n', Infinity);
        return true;
      } catch {
        return false;
      }
    });
    fc.assert(fc.property(encodable, fc.string({ maxLength: 8 }), (entries, nonce) => {
      const text = encodeHash(entries as HashEntry[], nonce, Infinity);
      expect(decodeHash(text, Infinity)).toEqual({ entries: JSON.parse(JSON.stringify(entries)), nonce });
    }), params);
  });
});

describe('batch messages', () => {
  const frameText = json.map((data) => JSON.stringify({ type: 'message', data }));
  const limits = fc.record({ frames: fc.integer({ min: 2, max: 12 }), bytes: fc.integer({ min: 2, max: 600 }) });

  test('joinBatches then splitBatch: every frame once, in order; each batch within the frame count and the bytes', () => {
    fc.assert(fc.property(fc.array(frameText, { maxLength: 40 }), limits, (texts, lim) => {
      const back: string[] = [];
      for (const message of joinBatches(texts, lim)) {
        if (!isBatch(message)) {
          back.push(message); // a lone frame goes as it is
          continue;
        }
        const frames = splitBatch(message, lim.frames);
        expect(frames.length).toBeGreaterThanOrEqual(2);
        expect(frames.length).toBeLessThanOrEqual(lim.frames);
        expect(Buffer.byteLength(message)).toBeLessThanOrEqual(lim.bytes);
        back.push(...frames);
      }
      expect(back).toEqual(texts);
    }), params);
  });

  test('random, mutated and oversized batches: splitBatch gives at most maxFrames texts or BAD_REQUEST; each text decodes or fails with a code', () => {
    const valid = fc.array(frameText, { minLength: 1, maxLength: 8 }).map((texts) => texts.map((t) => BATCH_SEPARATOR + t).join(''));
    const many = fc.integer({ min: 1, max: 300 }).map((n) => BATCH_SEPARATOR.repeat(n) + '{"type":"ping"}');
    const input = fc.oneof(
      { weight: 3, arbitrary: nasty.map((t) => BATCH_SEPARATOR + t) },
      { weight: 4, arbitrary: mutated(valid) },
      { weight: 1, arbitrary: many },
      { weight: 1, arbitrary: nasty },
    );
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 200 }), (text, maxFrames) => {
      let frames: string[];
      try {
        frames = splitBatch(text, maxFrames);
      } catch (err) {
        expect(err).toBeInstanceOf(HybridError);
        expect((err as HybridError).code).toBe('BAD_REQUEST');
        return;
      }
      expect(isBatch(text)).toBe(true);
      expect(frames.length).toBeLessThanOrEqual(maxFrames);
      expect(frames.join(BATCH_SEPARATOR)).toBe(text.slice(1));
      for (const frame of frames) {
        try {
          decodeFrame(frame);
        } catch (err) {
          expect(err).toBeInstanceOf(HybridError);
          expect(ERROR_CODES).toContain((err as HybridError).code);
        }
      }
    }), params);
    expectNoPollution();
  });

  test('batchLimitsOf accepts only whole numbers of at least 2 for both limits', () => {
    fc.assert(fc.property(json, (offer) => {
      const limits = batchLimitsOf(offer);
      if (limits === undefined) return;
      expect(Number.isInteger(limits.frames) && limits.frames >= 2).toBe(true);
      expect(Number.isInteger(limits.bytes) && limits.bytes >= 2).toBe(true);
    }), params);
    expect(batchLimitsOf({ frames: 64, bytes: 4096 })).toEqual({ frames: 64, bytes: 4096 });
    expect(batchLimitsOf({ frames: 1, bytes: 4096 })).toBeUndefined();
  });
});
