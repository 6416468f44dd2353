/**
 * The TypeScript user, end to end: the packed tarball installed into a copy of test/ts-user (a
 * DevTools TypeScript template project), 构建npm with miniprogram-ci, then `tsc --noEmit` with
 * TypeScript 5.9, 6.x and 7.x under the template's own settings (module CommonJS), node16 and
 * bundler resolution. Pages, the H5 page, the server file and every ```ts snippet of the docs
 * compile clean; each file of mistakes/ is rejected exactly on its line marked `// ✗`.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { buildNpm, installTarball, packTarball, PKG_NAME } from '../../tools/check-pack';
import { tempDirs } from '../helpers/tmp';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const USER_PROJECT = path.join(ROOT, 'test/ts-user');
const DOCS = ['README.md', 'README.zh-CN.md', ...['docs', 'docs/zh-CN'].flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`))];
const MARK = '// ✗';

type Env = 'mp' | 'h5' | 'server';
const ENV_OPTIONS: Record<Env, object> = {
  mp: { lib: ['ES2020'], types: ['miniprogram-api-typings'] },
  h5: { lib: ['ES2020', 'DOM'], types: [] },
  server: { lib: ['ES2020'], types: ['node'] },
};
/**
 * DevTools' TypeScript template (compilerOptions of its tsconfig.json), without typeRoots (the
 * typings come from npm) and noUnusedLocals/Parameters (doc snippets show values they do not use).
 */
const TEMPLATE = {
  strictNullChecks: true, noImplicitAny: true, module: 'CommonJS', target: 'ES2020', allowJs: true, allowSyntheticDefaultImports: true,
  esModuleInterop: true, experimentalDecorators: true, noImplicitThis: true, noImplicitReturns: true, alwaysStrict: true,
  noFallthroughCasesInSwitch: true, strict: true, strictPropertyInitialization: true,
  noEmit: true, pretty: false,
};
const RESOLUTION = {
  template: {},
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};
/** Each compiler under each resolution, for the environments listed (the mini program's typings are the slow part). */
const RUNS: Array<{ name: string; pkg: string; mode: keyof typeof RESOLUTION; envs: Env[] }> = [
  { name: 'TypeScript 5.9', pkg: 'typescript', mode: 'template', envs: ['mp', 'h5', 'server'] },
  { name: 'TypeScript 5.9', pkg: 'typescript', mode: 'bundler', envs: ['mp'] },
  { name: 'TypeScript 6', pkg: 'typescript-6', mode: 'template', envs: ['mp', 'h5', 'server'] },
  { name: 'TypeScript 6', pkg: 'typescript-6', mode: 'bundler', envs: ['mp'] },
  { name: 'TypeScript 7', pkg: 'typescript-7', mode: 'bundler', envs: ['mp', 'h5', 'server'] },
  { name: 'TypeScript 7', pkg: 'typescript-7', mode: 'node16', envs: ['mp', 'h5', 'server'] },
  { name: 'TypeScript 7', pkg: 'typescript-7', mode: 'template', envs: ['mp'] },
];

jest.setTimeout(300_000);
const tmp = tempDirs('ts-user');
let project: string;
/** project-relative file → env */
const files = new Map<string, Env>();

function envOf(text: string): Env {
  if (text.includes(`'${PKG_NAME}/server'`)) return 'server';
  if (text.includes(`'${PKG_NAME}/h5'`) || /\bdocument\.|\bwindow\./.test(text)) return 'h5';
  return 'mp';
}

/**
 * The ```ts blocks of the docs, each as a module of its own: its imports on top, the rest in an
 * async function (blocks use top-level await and show values they do not use further).
 */
function extractSnippets(dir: string): string[] {
  const out: string[] = [];
  for (const doc of DOCS) {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
    const blocks = Array.from(text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm), (m) => m[1]);
    blocks.forEach((code, i) => {
      const lines = code.split('\n');
      const imports = lines.filter((l) => /^import\b/.test(l));
      const body = lines.map((l) => (/^import\b/.test(l) ? '' : l));
      const rel = `snippets/${doc.replace(/[/.]/g, '_')}-${i + 1}.ts`;
      fs.mkdirSync(path.join(dir, 'snippets'), { recursive: true });
      const file = [`// ${doc}, TypeScript block ${i + 1}`, 'export {};', ...imports, 'export async function example(): Promise<void> {', ...body, '}'];
      fs.writeFileSync(path.join(dir, rel), file.join('\n'));
      out.push(rel);
    });
  }
  return out;
}

function link(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.symlinkSync(from, to, 'dir');
}

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const work = tmp.make();
  const pack = packTarball(work);
  project = path.join(work, 'app');
  installTarball(project, pack.tarball);
  fs.cpSync(USER_PROJECT, project, { recursive: true });
  // What the user installs besides us: the mini program typings (DevTools template), Node's and ws' types for the server,
  // the npm JS-SDK for the H5 page.
  for (const dep of ['miniprogram-api-typings', '@types', 'undici-types', 'weixin-js-sdk']) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (fs.existsSync(from)) link(from, path.join(project, 'node_modules', dep));
  }
  for (const dir of ['pages', 'mistakes', 'h5', 'server']) {
    for (const f of fs.readdirSync(path.join(project, dir))) files.set(`${dir}/${f}`, envOf(fs.readFileSync(path.join(project, dir, f), 'utf8')));
  }
  for (const rel of extractSnippets(project)) files.set(rel, envOf(fs.readFileSync(path.join(project, rel), 'utf8')));
  await buildNpm(project);
});
afterAll(() => tmp.cleanup());

interface Diagnostic {
  file: string;
  line: number;
  text: string;
}

/** tsc --noEmit of every file of `env` (each file a module of its own); the diagnostics by file. */
async function compile(pkg: string, mode: keyof typeof RESOLUTION, env: Env): Promise<Diagnostic[]> {
  const include = Array.from(files).filter(([, e]) => e === env).map(([f]) => f);
  const name = `tsconfig.${pkg}.${mode}.${env}.json`;
  const compilerOptions = { ...TEMPLATE, ...ENV_OPTIONS[env], ...RESOLUTION[mode] };
  fs.writeFileSync(path.join(project, name), JSON.stringify({ compilerOptions, files: include }, null, 2));
  const tsc = path.join(ROOT, 'node_modules', pkg, 'bin', 'tsc');
  const result = await run(process.execPath, [tsc, '-p', name], { cwd: project, maxBuffer: 1 << 24 }).then(
    (r) => r.stdout,
    (err: { stdout?: string; code?: number }) => {
      if (!err.stdout) throw err;
      return err.stdout;
    },
  );
  return Array.from(result.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/gm), (m) => ({ file: m[1], line: Number(m[2]), text: m[3] }));
}

/** The line numbers marked as the mistake in `file`. */
function markedLines(file: string): number[] {
  return fs
    .readFileSync(path.join(project, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.trimEnd().endsWith(MARK) ? [i + 1] : []));
}

test('构建npm puts every path the user project imports into miniprogram_npm', () => {
  const specifiers = new Set<string>();
  for (const [file, env] of files) {
    if (env !== 'mp') continue;
    const text = fs.readFileSync(path.join(project, file), 'utf8');
    for (const m of text.matchAll(new RegExp(`from '${PKG_NAME}/([^']+)'`, 'g'))) specifiers.add(m[1]);
  }
  expect(specifiers.size).toBeGreaterThan(4);
  const npmDir = path.join(project, 'miniprogram_npm', PKG_NAME);
  for (const spec of specifiers) {
    const found = [`${spec}.js`, `${spec}/index.js`].some((f) => fs.existsSync(path.join(npmDir, f)));
    expect([spec, found]).toEqual([spec, true]);
  }
});

test('Node resolves every documented deep path through exports (what jest and miniprogram-simulate users require)', async () => {
  const paths = ['', '/behaviors/socket-manager', '/behaviors/hybrid-call', '/services/socket-requests', '/components/chat-panel/socket-link', '/adapters/wx-socket', '/core/socket', '/h5', '/server'];
  const script = `for (const p of ${JSON.stringify(paths)}) console.log(require.resolve('${PKG_NAME}' + p));
    try { require.resolve('${PKG_NAME}/src/index.ts'); } catch (err) { console.log(err.code); }`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: project });
  const lines = stdout.trim().split('\n');
  const pkgDir = fs.realpathSync(path.join(project, 'node_modules', PKG_NAME));
  expect(lines.slice(0, paths.length).every((l) => l.startsWith(pkgDir))).toBe(true);
  expect(lines[paths.length]).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test.each(RUNS)('$name, $mode resolution ($envs): pages and doc snippets compile, each mistake is rejected on its line', async ({ pkg, mode, envs }) => {
  const diagnostics = (await Promise.all(envs.map((env) => compile(pkg, mode, env)))).flat();
  const inRun = Array.from(files).filter(([, env]) => envs.includes(env)).map(([f]) => f);
  const clean = inRun.filter((f) => !f.startsWith('mistakes/'));
  expect(clean.length).toBeGreaterThan(envs.length > 1 ? 8 : 5);
  expect(diagnostics.filter((d) => clean.includes(d.file))).toEqual([]);
  // Nothing outside the project's own files (the package's .d.ts must check too: no skipLibCheck).
  expect(diagnostics.filter((d) => !files.has(d.file))).toEqual([]);
  const mistakes = inRun.filter((f) => f.startsWith('mistakes/'));
  expect(mistakes.length).toBeGreaterThanOrEqual(envs.length > 1 ? 12 : 9);
  for (const file of mistakes) {
    const marked = markedLines(file);
    expect([file, marked.length]).toEqual([file, 1]);
    const lines = diagnostics.filter((d) => d.file === file).map((d) => d.line);
    expect([file, lines.length > 0 && lines.every((l) => l === marked[0])]).toEqual([file, true]);
  }
});
