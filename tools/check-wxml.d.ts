/** Types for tools/check-wxml.js (used by the tests). */
export interface MiniprogramCheckResult {
  /** Component paths without extension, e.g. `components/chat-panel/index`. */
  components: string[];
  wxml: number;
  wxss: number;
  wxs: number;
}
export interface MiniprogramCheckError extends Error {
  problems: string[];
}
export function checkMiniprogram(root?: string): MiniprogramCheckResult;
export function findComponents(root: string): string[];
export function listFiles(root: string, ext: string): string[];
export interface CheckOptions {
  /** Library rules (default true): component usingComponents must be relative paths. */
  libraryRules?: boolean;
}
export function checkMiniprogram(root: string | undefined, options: CheckOptions): MiniprogramCheckResult;
/** Where DevTools finds a usingComponents target (path without extension), or null. */
export function resolveComponent(root: string, jsonFile: string, target: string): string | null;
