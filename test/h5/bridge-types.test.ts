/**
 * One api map types both sides: the mini program's handlers and the H5 caller. Compiles a
 * snippet with the TypeScript compiler and checks that exactly the marked lines are refused.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '../../src');

const SNIPPET = `
import { createBridge } from '${SRC}/h5/index';
import { HandlerRegistry } from '${SRC}/core/registry';

interface Apis {
  add: { params: { a: number; b: number }; result: number };
  user: { params: { id: string }; result: { id: string; name: string } };
}

const registry = new HandlerRegistry<Apis>();
registry.register('add', (p) => p.a + p.b);
registry.register('user', async ({ id }) => ({ id, name: 'n' }));
registry.register('add', (p) => String(p.a)); // ERROR result type
registry.register('missing', () => 1); // ERROR unknown api

const bridge = createBridge<Apis>();
const sum: Promise<number> = bridge.call('add', { a: 1, b: 2 });
const name: Promise<string> = bridge.call('user', { id: 'x' }).then((u) => u.name);
bridge.call('add', { a: '1', b: 2 }); // ERROR params type
const wrong: Promise<string> = bridge.call('add', { a: 1, b: 2 }); // ERROR result type
bridge.call('nope'); // ERROR unknown api
export { sum, name, wrong };
`;

test('handler and caller types come from one api map', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-types-'));
  try {
    const file = path.join(dir, 'snippet.ts');
    fs.writeFileSync(file, SNIPPET);
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2017.d.ts', 'lib.dom.d.ts'], types: [], skipLibCheck: true,
    });
    const errorLines = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && d.file.fileName === file)
      .map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
    const expected = SNIPPET.split('\n').map((line, i) => (line.indexOf('// ERROR') >= 0 ? i + 1 : 0)).filter(Boolean);
    expect(expected).toHaveLength(5);
    expect(Array.from(new Set(errorLines)).sort((a, b) => a - b)).toEqual(expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
