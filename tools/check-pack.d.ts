/** Types for tools/check-pack.js (used by the tests). */
export const PKG_NAME: string;
/** Most bytes of runtime files the library may add to a user's miniprogram_npm. */
export const MP_BUDGET_BYTES: number;
export interface PackedTarball {
  tarball: string;
  /** Paths inside the tarball (without the `package/` prefix). */
  files: string[];
  size: number;
}
export interface PackNpmResult {
  miniProgramPackNum: number;
  otherNpmPackNum: number;
  warnList: unknown[];
}
export interface BuiltNpmCheck {
  npmDir: string;
  components: string[];
  files: string[];
  /** Size of the runtime files (all but .d.ts) in miniprogram_npm/<pkg>. */
  bytes: number;
}
export interface PackCheckError extends Error {
  problems: string[];
}
export function packTarball(destDir: string, packageDir?: string): PackedTarball;
export function installTarball(projectDir: string, tarball: string): string;
export function buildNpm(projectDir: string): Promise<PackNpmResult>;
export function checkBuiltNpm(projectDir: string, mpDist?: string): BuiltNpmCheck;
export function checkPack(options?: { keep?: boolean }): Promise<BuiltNpmCheck & { work: string; pack: PackedTarball; ci: PackNpmResult }>;
