/** Types for tools/demo-pack.js (used by the tests). */
import type { PackNpmResult } from './check-pack';
export function packDemo(options?: { outDir?: string; quiet?: boolean }): Promise<PackNpmResult>;
/** The generated gallery page (path without extension). */
export const GALLERY_PAGE: string;
/** Registers and shows every `components/<name>/index` on the gallery page; returns the names. */
export function writeGallery(projectDir: string, components: string[]): string[];
