/** Types for tools/build.js (used by the tests). */
type Task = (done?: () => void) => unknown;
export const clean: Task;
export const build: Task;
export const dev: Task;
export const watch: Task;
export const mp: Task;
export const h5: Task;
export const server: Task;
/** A task compiling `tsconfigFile` (relative to the repository root, or absolute) into `outDir`. */
export function compileProject(tsconfigFile: string, outDir: string): () => Promise<void>;
