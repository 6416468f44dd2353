/**
 * The Chinese docs keep up with the English ones: every docs/*.md has a copy in docs/zh-CN/ with
 * the same headings (level by level, in order) and, in every table whose first column names things
 * in code (`option`, `event`, `code`…), the same names in the same order. Headings are compared by
 * level and by the code spans they contain, the only part that is not translated.
 */
import * as fs from 'fs';
import * as path from 'path';

const DOCS = path.resolve(__dirname, '../../docs');
/** English file → Chinese file, where the name differs. */
const RENAMED: Record<string, string> = { 'guide-demo.md': 'demo.md' };

interface Heading {
  level: number;
  code: string[];
}

/** Markdown lines outside fenced code blocks. */
function proseLines(md: string): string[] {
  let fenced = false;
  return md.split('\n').filter((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

const codeSpans = (text: string) => Array.from(text.matchAll(/`([^`]+)`/g), (m) => m[1]);

function headings(md: string): Heading[] {
  return proseLines(md)
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => ({ level: /^#+/.exec(l)![0].length, code: codeSpans(l) }));
}

/** For each table, the code names of its first column (tables whose first cells are all code). */
function codeTables(md: string): string[][] {
  const lines = proseLines(md);
  const tables: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|/.test(lines[i]) || !/^\|[\s:|-]+\|$/.test(lines[i + 1] || '')) continue;
    const rows: string[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].startsWith('|'); j++) rows.push(lines[j].split('|')[1].trim());
    i = j;
    if (rows.length && rows.every((cell) => /^`[^`]+`/.test(cell))) tables.push(rows.map((cell) => codeSpans(cell).join(' ')));
  }
  return tables;
}

const englishDocs = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();

test('every English doc has a Chinese copy', () => {
  const missing = englishDocs.filter((f) => !fs.existsSync(path.join(DOCS, 'zh-CN', RENAMED[f] || f)));
  expect(missing).toEqual([]);
});

describe.each(englishDocs.filter((f) => fs.existsSync(path.join(DOCS, 'zh-CN', RENAMED[f] || f))))('docs/%s and its Chinese copy', (file) => {
  const en = fs.readFileSync(path.join(DOCS, file), 'utf8');
  const zh = fs.readFileSync(path.join(DOCS, 'zh-CN', RENAMED[file] || file), 'utf8');

  test('same headings: level and code names, in order', () => {
    const show = (md: string) => headings(md).map((h) => `${'#'.repeat(h.level)} ${h.code.join(' ')}`.trim());
    expect(show(zh)).toEqual(show(en));
  });

  test('same option tables: the code names of the first column, in order', () => {
    expect(codeTables(zh)).toEqual(codeTables(en));
  });
});

test('the comparison sees what it compares (headings, code spans, tables; fences skipped)', () => {
  const md = '# A `x`\n\n## B\n\n```\n# not a heading\n| `no` | table |\n|---|---|\n```\n\n| option | meaning |\n|---|---|\n| `a` | one |\n| `b`, `c` | two |\n\n| plain | table |\n|---|---|\n| text | no code |\n';
  expect(headings(md)).toEqual([{ level: 1, code: ['x'] }, { level: 2, code: [] }]);
  expect(codeTables(md)).toEqual([['a', 'b c']]);
});
