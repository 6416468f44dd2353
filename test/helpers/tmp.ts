/** Temp directories for tests that copy or build projects; removed in afterAll. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function tempDirs(prefix: string): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hk-${prefix}-`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
