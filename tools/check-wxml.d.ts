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
