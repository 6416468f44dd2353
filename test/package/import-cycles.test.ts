/**
 * No import cycles in src/ (type-only imports count too: a cycle of types still ties two modules
 * together for a reader, and a later value import turns it into a load-order bug). Relative
 * imports and re-exports of every .ts file are followed.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '../../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base + '.ts', path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return null;
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const target = resolveImport(file, m[1]);
      if (target) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the list of files around it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const done = new Set<string>();
  const onPath: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    onPath.push(file);
    for (const dep of graph.get(file) || []) {
      const at = onPath.indexOf(dep);
      if (at >= 0) cycles.push(onPath.slice(at).concat(dep));
      else if (!done.has(dep)) visit(dep);
    }
    onPath.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

test('the walk finds a cycle when there is one (a → b → c → a), and none in a chain', () => {
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  expect(findCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
});

test('the import reader sees type-only imports and re-exports', () => {
  const graph = importGraph([path.join(SRC, 'server/index.ts'), path.join(SRC, 'server/options.ts')]);
  const rel = (files: string[] | undefined) => (files || []).map((f) => path.relative(SRC, f));
  expect(rel(graph.get(path.join(SRC, 'server/index.ts')))).toEqual(expect.arrayContaining(['server/relay.ts', 'server/hub.ts']));
  expect(rel(graph.get(path.join(SRC, 'server/options.ts')))).toEqual(expect.arrayContaining(['server/hub.ts', 'core/limits.ts']));
});

test('src/ has no import cycles (type-only imports included)', () => {
  const files = tsFiles(SRC);
  expect(files.length).toBeGreaterThan(50);
  const cycles = findCycles(importGraph(files)).map((c) => c.map((f) => path.relative(SRC, f)).join(' → '));
  expect(cycles).toEqual([]);
});
