import * as fs from 'fs';
import * as path from 'path';
import * as core from '../../src/core';
import { LIMITS, PROTOCOL_VERSION } from '../../src/core/limits';

test('the limits are the ones docs/protocol.md promises', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/protocol.md'), 'utf8');
  expect(doc).toContain(`${LIMITS.maxCmdLength.toLocaleString('en-US')} encoded characters (\`LIMITS.maxCmdLength\`)`);
  expect(doc).toContain(`${LIMITS.maxHashLength.toLocaleString('en-US')} characters (\`LIMITS.maxHashLength\`)`);
  expect(doc).toContain(`limit ${LIMITS.maxFrameBytes / 1024} KiB (\`LIMITS.maxFrameBytes\`)`);
  expect(PROTOCOL_VERSION).toBe(1);
  expect(LIMITS.maxNameLength).toBeGreaterThanOrEqual(64);
  expect(LIMITS.maxDepth).toBeGreaterThanOrEqual(8);
});

test('src/core/index re-exports every module', () => {
  const dir = path.resolve(__dirname, '../../src/core');
  const index = fs.readFileSync(path.join(dir, 'index.ts'), 'utf8');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    expect([file, index.includes(`from './${file.replace(/\.ts$/, '')}'`)]).toEqual([file, true]);
  }
  for (const name of ['HybridError', 'Emitter', 'Backoff', 'BoundedQueue', 'encodeCmd', 'decodeHash', 'decodeFrame', 'utf8ByteLength', 'parseJson', 'LIMITS']) {
    expect([name, name in core]).toEqual([name, true]);
  }
});
