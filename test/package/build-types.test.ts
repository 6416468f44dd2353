/** A type error fails the build: tools/build.js compileProject on a temp project. */
import * as fs from 'fs';
import * as path from 'path';
import { compileProject } from '../../tools/build';
import { tempDirs } from '../helpers/tmp';

const tmp = tempDirs('build');
afterAll(() => tmp.cleanup());

function project(files: Record<string, string>): string {
  const dir = tmp.make();
  const tsconfig = {
    compilerOptions: { strict: true, target: 'ES2017', module: 'CommonJS', lib: ['ES2017'], types: [], declaration: true, rootDir: 'src' },
    include: ['src/**/*.ts'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'src', name)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', name), text);
  }
  return dir;
}

// gulp-typescript prints each diagnostic too; keep the test output readable.
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

test('a type error rejects the build with the diagnostic, file and code', async () => {
  const dir = project({
    'ok.ts': 'export const n: number = 1;\n',
    'broken.ts': "export const count: number = 'three';\n",
  });
  const out = path.join(dir, 'out');
  const error = await compileProject(path.join(dir, 'tsconfig.json'), out)().then(
    () => null,
    (err: Error) => err,
  );
  expect(error).toBeInstanceOf(Error);
  expect(error!.message).toContain('broken.ts');
  expect(error!.message).toContain('TS2322');
  expect(error!.message).toContain("Type 'string' is not assignable to type 'number'");
  expect(error!.message).not.toContain('ok.ts');
});

test('strict mode is enforced: an implicit any fails too', async () => {
  const dir = project({ 'loose.ts': 'export function f(x) { return x; }\n' });
  await expect(compileProject(path.join(dir, 'tsconfig.json'), path.join(dir, 'out'))()).rejects.toThrow(/TS7006/);
});

test('a clean project resolves and emits .js and .d.ts', async () => {
  const dir = project({ 'ok.ts': 'export const greeting: string = "你好";\n' });
  const out = path.join(dir, 'out');
  await compileProject(path.join(dir, 'tsconfig.json'), out)();
  expect(fs.readFileSync(path.join(out, 'ok.js'), 'utf8')).toContain('exports.greeting');
  expect(fs.readFileSync(path.join(out, 'ok.d.ts'), 'utf8')).toContain('greeting: string');
});

// ts-jest compiles tests with isolatedModules (no type checking), so the tests and tools are
// type-checked here as a whole: a type error anywhere in src/, test/ or tools/ fails the suite.
test('the whole project (sources, tests, tools) type-checks under tsconfig.test.json', () => {
  const ts = require('typescript') as typeof import('typescript');
  const root = path.resolve(__dirname, '../..');
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.test.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const messages = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
  expect(parsed.fileNames.length).toBeGreaterThan(50);
  expect(messages).toEqual([]);
}, 120_000);
