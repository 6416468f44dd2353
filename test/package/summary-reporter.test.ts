/**
 * The closing line CI reads: a real jest run on a temp project with passing, failing, skipped and
 * broken tests ends with "N passed, N failed, N skipped" and exits non-zero.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDirs } from '../helpers/tmp';

jest.setTimeout(60_000);
const ROOT = path.resolve(__dirname, '../..');
const tmp = tempDirs('summary');
afterAll(() => tmp.cleanup());

function runJest(files: Record<string, string>) {
  const dir = tmp.make();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const config = { rootDir: dir, testEnvironment: 'node', reporters: [path.join(ROOT, 'test/helpers/summary-reporter.js')], testMatch: ['<rootDir>/*.test.js'] };
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--config', path.join(dir, 'jest.config.json')], { cwd: dir, encoding: 'utf8', timeout: 50_000 });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, last: lines[lines.length - 1] };
}

test('passes, failures, skips and a suite that cannot run are all counted', () => {
  const result = runJest({
    'a.test.js': "test('one', () => expect(1).toBe(1)); test('two', () => expect(2).toBe(2)); test.skip('later', () => {});",
    'b.test.js': "test('fails', () => expect(1).toBe(2)); test.todo('write me');",
    'c.test.js': 'this is not javascript (',
  });
  expect(result.last).toBe('2 passed, 2 failed, 2 skipped');
  expect(result.status).toBe(1);
});

test('a green run ends with "N passed, 0 failed" and exits 0', () => {
  const result = runJest({ 'ok.test.js': "test('ok', () => expect([1, 2]).toHaveLength(2));" });
  expect(result.last).toBe('1 passed, 0 failed');
  expect(result.status).toBe(0);
});
