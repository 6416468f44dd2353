/** Loading built components (miniprogram_dist, what DevTools consumes) into miniprogram-simulate. */
import * as path from 'path';
import simulate = require('miniprogram-simulate');

export const MP_ROOT = path.resolve(__dirname, '../../miniprogram_dist');

/** Load a component once per test file (loading the same path twice renders nothing). */
export function loadComponent(relPath: string, tagName: string): string {
  return simulate.load(path.join(MP_ROOT, relPath), tagName, { rootPath: MP_ROOT });
}

export { simulate };
