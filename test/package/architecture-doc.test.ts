/**
 * docs/architecture.md and its Chinese copy name real files: every repository path they mention
 * exists, so the picture and the "common changes" lists cannot drift silently from the code.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = ['docs/architecture.md', 'docs/zh-CN/architecture.md'];
/** A path inside the repository: a top folder of ours, then path characters (a `<name>` placeholder ends it). */
const PATH = /\b(?:src|test|tools|docs|bin)\/[A-Za-z0-9_./-]*[A-Za-z0-9_/]/g;
const ROOT_FILES = /\b(?:CHANGELOG|README)\.md\b/g;

function pathsIn(text: string): string[] {
  return [...new Set([...(text.match(PATH) || []), ...(text.match(ROOT_FILES) || [])])];
}

describe.each(DOCS)('%s', (doc) => {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const named = pathsIn(text);

  test('names the files of each side and of each common change', () => {
    for (const expected of ['src/core/protocol/error-codes.ts', 'src/server/hub.ts', 'src/h5/types.ts', 'src/components/chat-panel/types.ts', 'src/core/protocol/frame-types.ts']) {
      expect(named).toContain(expected);
    }
    expect(named.length).toBeGreaterThan(40);
  });

  test('every path it names exists', () => {
    const missing = named.filter((p) => !fs.existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});

test('the path matcher finds paths in prose, tables and the picture, and stops at placeholders', () => {
  const sample = '| 1 | `src/h5/bridge.ts` | see src/server/<name>-hub.ts │ src/core/ (protocol/) and CHANGELOG.md.';
  expect(pathsIn(sample)).toEqual(['src/h5/bridge.ts', 'src/server/', 'src/core/', 'CHANGELOG.md']);
});

test('both copies name the same files', () => {
  const [en, zh] = DOCS.map((doc) => pathsIn(fs.readFileSync(path.join(ROOT, doc), 'utf8')).sort());
  expect(zh).toEqual(en);
});
