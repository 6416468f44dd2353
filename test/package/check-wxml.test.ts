/** tools/check-wxml.js: every WXML/WXSS of miniprogram_dist compiles with the official wcc/wcsc. */
import * as fs from 'fs';
import * as path from 'path';
import { checkMiniprogram, findComponents, listFiles, MiniprogramCheckError, resolveComponent } from '../../tools/check-wxml';
import { tempDirs } from '../helpers/tmp';
import { MP_ROOT } from '../helpers/mp-dist';

const tmp = tempDirs('wxml');
afterAll(() => tmp.cleanup());

function copyDist(): string {
  const dir = path.join(tmp.make(), 'miniprogram_dist');
  fs.cpSync(MP_ROOT, dir, { recursive: true });
  return dir;
}

function problemsOf(root: string): string[] {
  try {
    checkMiniprogram(root);
  } catch (err) {
    return (err as MiniprogramCheckError).problems;
  }
  throw new Error('the check passed but should have failed');
}

test('the built package compiles: every component, wxml and wxss file is counted', () => {
  const result = checkMiniprogram(MP_ROOT);
  const componentDirs = fs.readdirSync(path.join(MP_ROOT, 'components'));
  expect(result.components.length).toBeGreaterThanOrEqual(1);
  // Discovery finds every component directory of the build (fixture-badge until real ones land).
  for (const dir of componentDirs) expect(result.components).toContain(`components/${dir}/index`);
  expect(result.wxml).toBe(listFiles(MP_ROOT, '.wxml').length);
  expect(result.wxss).toBe(listFiles(MP_ROOT, '.wxss').length);
  expect(result.wxml).toBeGreaterThanOrEqual(result.components.length);
});

test('a broken wxml and a broken wxss fail the check with the compilers\' messages naming the files', () => {
  const root = copyDist();
  const [component] = findComponents(root);
  fs.appendFileSync(path.join(root, `${component}.wxml`), '\n<view class="{{unclosed"><text>');
  fs.writeFileSync(path.join(root, `${component}.wxss`), '.ok { color: red; }\n.broken { color: ; } } @@ {');
  const problems = problemsOf(root);
  expect(problems).toHaveLength(2);
  expect(problems[0]).toContain(`${component}.wxml`);
  expect(problems[0]).toMatch(/\.wxml:\d+:\d+/); // wcc reports file:line:column
  expect(problems[1]).toContain(`${component}.wxss`);
  expect(problems[1]).toMatch(/\.wxss\(\d+:\d+\)/); // wcsc reports file(line:column)
});

test('every broken stylesheet is named, not only the first', () => {
  const root = copyDist();
  fs.mkdirSync(path.join(root, 'styles'));
  fs.writeFileSync(path.join(root, 'styles/a.wxss'), '.a { color: red; } }');
  fs.writeFileSync(path.join(root, 'styles/b.wxss'), '.b { color: blue; } }');
  fs.writeFileSync(path.join(root, 'styles/fine.wxss'), '.c { color: var(--hk-c, #fff); }');
  const problems = problemsOf(root);
  expect(problems.filter((p) => p.includes('styles/a.wxss'))).toHaveLength(1);
  expect(problems.filter((p) => p.includes('styles/b.wxss'))).toHaveLength(1);
  expect(problems.some((p) => p.includes('fine.wxss'))).toBe(false);
});

test('component JSON conventions: valid JSON, sibling files, apply-shared, relative usingComponents', () => {
  const root = copyDist();
  const [component] = findComponents(root);
  const jsonFile = path.join(root, `${component}.json`);
  const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  delete json.styleIsolation;
  json.usingComponents = { abs: '/components/x/index', gone: '../missing/index' };
  fs.writeFileSync(jsonFile, JSON.stringify(json));
  fs.mkdirSync(path.join(root, 'components/half'), { recursive: true });
  fs.writeFileSync(path.join(root, 'components/half/index.json'), '{"component": true, "styleIsolation": "apply-shared"}');
  fs.writeFileSync(path.join(root, 'components/bad.json'), '{ not json');
  const problems = problemsOf(root);
  expect(problems).toEqual(
    expect.arrayContaining([
      `${component}.json: "styleIsolation" must be "apply-shared"`,
      `${component}.json: usingComponents "abs" must be a relative path (got "/components/x/index")`,
      `${component}.json: usingComponents "gone" points to a missing component ../missing/index`,
      'components/half/index.json: component has no components/half/index.js',
      'components/half/index.json: component has no components/half/index.wxml',
    ]),
  );
  expect(problems.some((p) => p.startsWith('components/bad.json: not valid JSON'))).toBe(true);
});

test('a missing directory is reported, not silently passed', () => {
  expect(() => checkMiniprogram(path.join(tmp.make(), 'nothing'))).toThrow(/does not exist: run the build first/);
});

test('usingComponents resolve as in DevTools: relative, from the root, nearest miniprogram_npm, folder index', () => {
  const root = tmp.make();
  const put = (file: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '{"component": true}');
  };
  put('miniprogram_npm/kit/components/a/index.json');
  put('pages/deep/miniprogram_npm/kit/components/a/index.json'); // nearer: wins for pages/deep
  put('components/local/index.json');
  put('components/single.json');
  const at = (file: string, target: string) => {
    const hit = resolveComponent(root, file, target);
    return hit && path.relative(root, hit).split(path.sep).join('/');
  };
  expect(at('pages/home/index.json', 'kit/components/a/index')).toBe('miniprogram_npm/kit/components/a/index');
  expect(at('pages/deep/index.json', 'kit/components/a/index')).toBe('pages/deep/miniprogram_npm/kit/components/a/index');
  expect(at('pages/home/index.json', 'kit/components/a')).toBe('miniprogram_npm/kit/components/a/index');
  expect(at('pages/home/index.json', '/components/local/index')).toBe('components/local/index');
  expect(at('pages/home/index.json', '../../components/single')).toBe('components/single');
  expect(at('pages/home/index.json', 'kit/components/missing/index')).toBeNull();
  expect(at('pages/home/index.json', './nothing')).toBeNull();
});
