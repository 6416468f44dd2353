/**
 * The H5 hash reader (src/h5/hash-reader.ts, bundled by esbuild as the SDK is) fuzzed in headless
 * Chromium: 10,000 fast-check hashes (random, mutated valid, lone surrogates, `__proto__` keys,
 * junk replies) read in the page. It never throws, returns only well-formed replies and pushes,
 * keeps the page's own pairs in the cleaned URL, and valid replies and pushes come back intact.
 */
import * as path from 'path';
import { build } from 'esbuild';
import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { encodeHash, HashEntry, isReplyPayload } from '../../src/core/hash';
import { HeadlessBrowser, launchBrowser, serveFiles, StaticServer, watchPage } from '../helpers/chromium';

const SEED = 1313;
const RUNS = 10_000;

let server: StaticServer;
let browser: HeadlessBrowser;
let page: Page;

jest.setTimeout(120_000);

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: "export { readHash } from './src/h5/hash-reader';", resolveDir: path.resolve(__dirname, '../..'), loader: 'ts' },
    bundle: true, format: 'iife', globalName: 'HashReader', target: 'es2017', write: false, logLevel: 'silent',
  });
  server = await serveFiles({
    '/reader.html': '<!doctype html><meta charset="utf-8"><script src="/reader.js"></script>',
    '/reader.js': bundle.outputFiles[0].text,
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(server.origin + '/reader.html');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const json = fc.jsonValue({ maxDepth: 3 });
const reply = fc.oneof(
  fc.record({ ok: fc.constant(true), data: json }),
  fc.record({ ok: fc.constant(false), error: fc.record({ code: fc.oneof(fc.constantFrom('TIMEOUT', 'NEWER_CODE', '', 'timeout', '<b>x</b>'), fc.string()), message: fc.oneof(fc.string(), fc.constant(undefined)) }) }),
);
const push = fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), event: fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString'), fc.string({ maxLength: 8 })), data: json });
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'v', '_hkpush', 'r1'), fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }));
const entries = fc.array(fc.oneof(fc.record({ key, value: reply }), fc.record({ key: fc.constant('_hkpush'), value: fc.array(push, { maxLength: 4 }) })), { maxLength: 5 });

function encodedOrNull(list: HashEntry[]): string | null {
  try {
    return encodeHash(list.filter((e) => e.key !== 'v'), 'n', Infinity);
  } catch {
    return null; // a key with a lone surrogate cannot be encoded
  }
}

const hashes = fc.oneof(
  { weight: 4, arbitrary: entries.map(encodedOrNull).filter((h): h is string => h !== null) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('%', 'E', '4', '{', '"', '&', '=', '#', '\ud800', 'a', '_hkpush=', 'v='), maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('section=intro', 'tab', 'x=%E4', '/route'), entries.map(encodedOrNull).filter((h): h is string => h !== null)).map(([own, ours]) => own + '&' + ours) },
);

test('10,000 hashes read in Chromium: no throw, only well-formed replies and pushes, valid ones intact', async () => {
  const log = watchPage(page);
  const inputs = fc.sample(hashes, { seed: SEED, numRuns: RUNS });
  const results = await page.evaluate((list) => {
    const read = (window as any).HashReader.readHash as (url: string) => { replies: Array<{ req: string; payload: unknown }>; pushes: unknown[]; clean: string };
    return list.map((h) => {
      try {
        return read('https://h5.test/page?q=1#' + h);
      } catch (err) {
        return { threw: String(err) };
      }
    });
  }, inputs);
  expect(log.errors).toEqual([]);
  expect(results).toHaveLength(RUNS);
  // Checked in plain code (one expect at the end): 10,000 expect calls would cost more than the reads.
  let replies = 0;
  const bad: string[] = [];
  results.forEach((r: any, i: number) => {
    const where = JSON.stringify(inputs[i]);
    if (r.threw) {
      bad.push(`threw ${r.threw} for ${where}`);
      return;
    }
    for (const rep of r.replies) {
      if (!isReplyPayload(rep.payload)) bad.push(`junk reply ${JSON.stringify(rep)} for ${where}`);
      replies++;
    }
    for (const p of r.pushes) if (typeof p.id !== 'string' || typeof p.event !== 'string') bad.push(`bad push for ${where}`);
    if (!r.clean.startsWith('https://h5.test/page?q=1')) bad.push(`clean URL ${r.clean} for ${where}`);
  });
  expect(bad).toEqual([]);
  expect(replies).toBeGreaterThan(1000);
});

test('valid replies and pushes come back exactly, and the cleaned URL keeps only the page pairs', async () => {
  const valid = fc.array(
    fc.record({ key: fc.stringMatching(/^r[a-z0-9]{1,8}$/), value: fc.oneof(fc.record({ ok: fc.constant(true), data: json }), fc.record({ ok: fc.constant(false), error: fc.record({ code: fc.constantFrom('TIMEOUT', 'NEWER_CODE'), message: fc.string() }) })) }),
    { minLength: 1, maxLength: 4 },
  );
  const inputs = fc.sample(fc.tuple(valid, fc.array(push, { maxLength: 3 })), { seed: SEED, numRuns: 500 }).map(([replies, pushes]) => {
    const unique = Array.from(new Map(replies.map((r) => [r.key, r])).values());
    const list: HashEntry[] = [...unique];
    if (pushes.length) list.push({ key: '_hkpush', value: pushes });
    return { expected: JSON.parse(JSON.stringify({ unique, pushes })), hash: 'own=1&' + encodeHash(list, 'n', Infinity) };
  });
  const results = await page.evaluate((list) => list.map((x) => (window as any).HashReader.readHash('https://h5.test/p#' + x.hash)), inputs);
  expect(results).toEqual(
    inputs.map(({ expected }) => ({
      replies: expected.unique.map((u: any) => ({ req: u.key, payload: u.value })),
      pushes: expected.pushes,
      clean: 'https://h5.test/p#own=1',
    })),
  );
});
