/**
 * The handlers the end-to-end tests call, registered as `<prefix>echo`, `const`, `wait`
 * ({ ms, v } → v after ms), `throws` and `never`. Returns the function that removes them all.
 */
export function registerTestHandlers(registry: { register(api: string, fn: (p: any) => unknown): () => void }, prefix = ''): () => void {
  const offs = [
    registry.register(prefix + 'echo', (p: unknown) => p),
    registry.register(prefix + 'const', () => ({ same: true })),
    registry.register(prefix + 'wait', (p: { ms: number; v: unknown }) => new Promise((r) => setTimeout(() => r(p.v), p.ms))),
    registry.register(prefix + 'throws', () => {
      throw new Error(`${prefix}handler broke`);
    }),
    registry.register(prefix + 'never', () => new Promise(() => undefined)),
  ];
  return () => offs.forEach((off) => off());
}
