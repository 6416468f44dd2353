/** Types for tools/demo-pack.js (used by the tests). */
import type { PackNpmResult } from './check-pack';
export function packDemo(options?: { outDir?: string; quiet?: boolean }): Promise<PackNpmResult>;
