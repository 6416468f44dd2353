/**
 * src/core runs in the mini program, the browser and Node, so it may use only what all three have:
 * the ES2017 library (plus async iteration, ES2018: streamed answers are async iterables; every
 * base library, browser and Node we support has Symbol.asyncIterator) plus console and the timer functions. It is type-checked here without any
 * platform typings, so a `wx.`, `document`, `window`, `process` or `Buffer` in it fails the suite.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { tempDirs } from '../helpers/tmp';

const CORE = path.resolve(__dirname, '../../src/core');
const tmp = tempDirs('core-globals');
afterAll(() => tmp.cleanup());

/** The globals every platform shares, declared loosely: only their presence matters here. */
const UNIVERSAL_GLOBALS = `
declare const console: { log(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void; debug(...a: unknown[]): void };
declare function setTimeout(fn: (...args: any[]) => void, ms?: number, ...args: unknown[]): any;
declare function clearTimeout(id: any): void;
declare function setInterval(fn: (...args: any[]) => void, ms?: number, ...args: unknown[]): any;
declare function clearInterval(id: any): void;
`;

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Diagnostics of `files` compiled with ES2017 (+ async iteration) only, no @types, strict. */
function platformFreeDiagnostics(files: string[]): string[] {
  const globals = path.join(tmp.make(), 'universal-globals.d.ts');
  fs.writeFileSync(globals, UNIVERSAL_GLOBALS);
  const program = ts.createProgram([globals, ...files], {
    strict: true,
    target: ts.ScriptTarget.ES2017,
    module: ts.ModuleKind.CommonJS,
    lib: ['lib.es2017.d.ts', 'lib.es2018.asynciterable.d.ts', 'lib.es2018.asyncgenerator.d.ts'],
    types: [],
    noEmit: true,
    skipLibCheck: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

test('src/core compiles with no platform typings at all', () => {
  const files = listTs(CORE);
  expect(files.length).toBeGreaterThanOrEqual(10);
  expect(platformFreeDiagnostics(files)).toEqual([]);
});

test('the check catches wx, DOM and Node globals', () => {
  const dir = tmp.make();
  const file = path.join(dir, 'leaky.ts');
  fs.writeFileSync(
    file,
    [
      'export const a = wx.getStorageSync("k");',
      'export const b = document.title;',
      'export const c = process.env.HOME;',
      'export const d = Buffer.from("x");',
      'export const e = setTimeout(() => console.log("fine"), 1);',
    ].join('\n'),
  );
  const diagnostics = platformFreeDiagnostics([file]);
  expect(diagnostics).toHaveLength(4);
  for (const name of ['wx', 'document', 'process', 'Buffer']) {
    expect(diagnostics.some((d) => d.startsWith('leaky.ts: ') && d.includes(`'${name}'`))).toBe(true);
  }
});
