/** `npm run dev`: tools/demo → miniprogram_dev with the library in miniprogram_npm (构建npm output). */
import * as fs from 'fs';
import * as path from 'path';
import { checkBuiltNpm, PKG_NAME } from '../../tools/check-pack';
import { checkMiniprogram, MiniprogramCheckError, resolveComponent } from '../../tools/check-wxml';
import { packDemo } from '../../tools/demo-pack';
import { tempDirs } from '../helpers/tmp';

jest.setTimeout(60_000);

const tmp = tempDirs('demo');
let outDir: string;
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8'));

beforeAll(async () => {
  outDir = path.join(tmp.make(), 'miniprogram_dev');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined); // miniprogram-ci's banner
  const result = await packDemo({ outDir, quiet: true });
  log.mockRestore();
  expect(result).toMatchObject({ miniProgramPackNum: 1 });
});
afterAll(() => tmp.cleanup());

test('the project opens in DevTools as a tourist: touristappid, urlCheck off, app files present', () => {
  const project = readJson('project.config.json');
  expect(project.appid).toBe('touristappid');
  expect(project.setting.urlCheck).toBe(false);
  expect(project.compileType).toBe('miniprogram');
  for (const file of ['app.js', 'app.json', 'app.wxss', 'package.json']) expect([file, fs.existsSync(path.join(outDir, file))]).toEqual([file, true]);
  expect(fs.existsSync(path.join(outDir, 'node_modules'))).toBe(false); // only the 构建npm output stays
});

test('every page has its four files and every component it uses comes from miniprogram_npm/miniprogram-hybrid-kit', () => {
  const pages: string[] = readJson('app.json').pages;
  expect(pages).toContain('pages/index/index');
  const npmRoot = path.join(outDir, 'miniprogram_npm', PKG_NAME) + path.sep;
  let libraryComponents = 0;
  for (const page of pages) {
    for (const ext of ['.js', '.json', '.wxml', '.wxss']) expect([page + ext, fs.existsSync(path.join(outDir, page + ext))]).toEqual([page + ext, true]);
    const using: Record<string, string> = readJson(page + '.json').usingComponents || {};
    for (const [tag, target] of Object.entries(using)) {
      const resolved = resolveComponent(outDir, page + '.json', target);
      expect([tag, target, resolved !== null]).toEqual([tag, target, true]);
      if (resolved!.startsWith(npmRoot)) libraryComponents++;
      expect(target.startsWith('.') && target.includes('src/')).toBe(false);
    }
  }
  expect(libraryComponents).toBeGreaterThanOrEqual(1);
});

test('the library in the demo is exactly the built package, and the whole demo compiles with wcc/wcsc', () => {
  const npm = checkBuiltNpm(outDir);
  expect(npm.components.length).toBeGreaterThanOrEqual(1);
  const compiled = checkMiniprogram(outDir, { libraryRules: false });
  expect(compiled.wxml).toBeGreaterThanOrEqual(npm.components.length + 1); // the pages too
  expect(compiled.wxss).toBeGreaterThanOrEqual(2);
});

test('a page using a component the library does not have fails the check', () => {
  const copy = path.join(tmp.make(), 'broken-dev');
  fs.cpSync(outDir, copy, { recursive: true });
  const pageJson = path.join(copy, 'pages/index/index.json');
  const json = JSON.parse(fs.readFileSync(pageJson, 'utf8'));
  json.usingComponents['hk-missing'] = `${PKG_NAME}/components/no-such-component/index`;
  fs.writeFileSync(pageJson, JSON.stringify(json));
  let problems: string[] = [];
  try {
    checkMiniprogram(copy, { libraryRules: false });
  } catch (err) {
    problems = (err as MiniprogramCheckError).problems;
  }
  expect(problems).toEqual([`pages/index/index.json: usingComponents "hk-missing" points to a missing component ${PKG_NAME}/components/no-such-component/index`]);
});
