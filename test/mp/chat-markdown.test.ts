/**
 * Markdown messages in the built chat-panel: opt-in (the panel alone never loads the parser),
 * every supported construct rendered from our own records (no HTML from the message), links and
 * code copied on tap, a streamed reply that never re-sends a finished block, hostile input shown
 * as text within the setData budget.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MP_ROOT } from '../helpers/mp-dist';
import { many, mount, rows, simulate, Mounted } from './chat-harness';

const PANEL_DIR = path.join(MP_ROOT, 'components/chat-panel');
const AUDIT_BUDGET = 256 * 1024;

function resolveJs(file: string): string {
  return fs.existsSync(file) ? file : file + '.js';
}

/** Every file `entry` requires, transitively (relative requires of the built package). */
function requireGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = fs.readFileSync(entry, 'utf8');
  for (const m of code.matchAll(/require\("(\.[^"]+)"\)/g)) requireGraph(resolveJs(path.resolve(path.dirname(entry), m[1])), seen);
  return seen;
}

const SAMPLE = [
  '# Release notes',
  '',
  'Some *emphasis*, **strong**, ~~gone~~ and `inline code`; see [the docs](https://example.com/docs).',
  '',
  '- first',
  '- [x] done task',
  '  - nested',
  '',
  '1. one',
  '2. two',
  '',
  '> a quote',
  '> > nested quote',
  '',
  '```js',
  'const veryLongLine = "' + 'x'.repeat(200) + '";',
  '```',
  '',
  '| name | size |',
  '|---|--:|',
  '| marked | 54 KB |',
  '',
  '<script>alert(1)</script>',
  '',
  '---',
].join('\n');

function texts(m: Mounted, selector: string): string[] {
  return m.comp.querySelectorAll(selector).map((n: any) => (n.dom.textContent || '').trim());
}

describe('opt-in: a panel without Markdown carries no parser', () => {
  test('chat-panel/index.js never requires the markdown module; markdown messages show their text until enabled', () => {
    const files = [...requireGraph(path.join(PANEL_DIR, 'index.js'))].map((f) => path.relative(PANEL_DIR, f));
    expect(files).toContain('store.js');
    expect(files.filter((f) => f.startsWith('markdown'))).toEqual([]);
    const m = mount({ messages: [{ id: 'md0', role: 'assistant', type: 'markdown', content: '**not parsed**' }] });
    expect(rows(m.comp)[0].text).toBe('**not parsed**');
    expect(m.comp.querySelectorAll('.hk-md__b')).toHaveLength(0);
  });
});

describe('with enableMarkdown()', () => {
  beforeAll(() => require(path.join(PANEL_DIR, 'markdown/index')).enableMarkdown());
  afterAll(() => require(path.join(PANEL_DIR, 'markdown/index')).disableMarkdown());

  test('headings, emphasis, lists, tasks, quotes, code, tables and rules render from our own records', () => {
    const m = mount({ messages: [{ id: 'md1', role: 'assistant', type: 'markdown', content: SAMPLE }] });
    expect(texts(m, '.hk-md__h1')).toEqual(['Release notes']);
    expect(texts(m, '.hk-md--i')).toEqual(['emphasis']);
    expect(texts(m, '.hk-md--b')).toEqual(['strong']);
    expect(texts(m, '.hk-md--d')).toEqual(['gone']);
    expect(texts(m, '.hk-md--k')).toEqual(['inline code']);
    expect(texts(m, '.hk-md__a')).toEqual(['the docs']);
    expect(texts(m, '.hk-md__marker')).toEqual(['•', '☑', '•', '1.', '2.']);
    expect(texts(m, '.hk-md__quote')).toEqual(['a quote', 'nested quote']);
    expect(texts(m, '.hk-md__td')).toEqual(['name', 'size', 'marked', '54 KB']);
    expect(m.comp.querySelectorAll('.hk-md__rule')).toHaveLength(1);
    // the code block scrolls sideways and keeps its long line whole
    const scrollers = m.comp.querySelectorAll('.hk-md__scroll') as any[];
    expect(scrollers).toHaveLength(2); // the code block and the table scroll sideways (scroll-x)
    expect(scrollers.map((s) => s.dom.tagName.toLowerCase())).toEqual(['wx-scroll-view', 'wx-scroll-view']);
    expect(texts(m, '.hk-md__pre')[0]).toBe('const veryLongLine = "' + 'x'.repeat(200) + '";');
    expect(texts(m, '.hk-md__lang')).toEqual(['js']);
    // the HTML is text, never elements
    const html = m.comp.dom!.innerHTML;
    expect(html).not.toMatch(/<script|<img/i);
    expect(m.comp.dom!.textContent).toContain('<script>alert(1)</script>');
    // the source stays what the page gave
    expect(m.panel.getMessage('md1')!.content).toBe(SAMPLE);
  });

  test('a link tap copies its address and emits linktap; the code copy button copies the code', async () => {
    const copy = jest.spyOn(wx, 'setClipboardData');
    const m = mount({ messages: [{ id: 'md2', role: 'assistant', type: 'markdown', content: SAMPLE }] });
    m.comp.querySelector('.hk-md__a')!.dispatchEvent('tap');
    await simulate.sleep(0);
    m.comp.querySelector('.hk-md__copy')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(copy.mock.calls.map((c) => (c[0] as { data: string }).data)).toEqual(['https://example.com/docs', 'const veryLongLine = "' + 'x'.repeat(200) + '";']);
    expect(m.events.filter((e) => e.name === 'linktap' || e.name === 'copy').map((e) => e.detail)).toEqual([
      { url: 'https://example.com/docs' },
      { text: 'const veryLongLine = "' + 'x'.repeat(200) + '";' },
    ]);
    // plain spans carry no tap handler
    copy.mockClear();
    m.comp.querySelector('.hk-md--b')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(copy).not.toHaveBeenCalled();
    copy.mockRestore();
  });

  test('streamed: only the last block changes; finished blocks are never re-sent; the result equals a whole parse', () => {
    const source = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? '```\ncode ' + i + '\n```' : `Paragraph ${i} with **bold** text and a [link](https://e.x/${i}).`)).join('\n\n');
    const m = mount({ messages: many(2) });
    m.panel.appendMessage({ id: 'md3', role: 'assistant', type: 'markdown', content: '', status: 'streaming' });
    m.panel.flush();
    m.meter.reset();
    for (let i = 0; i < source.length; i += 23) {
      m.panel.appendDelta('md3', source.slice(i, i + 23));
      m.panel.flush();
    }
    m.panel.updateMessage('md3', { status: 'sent' });
    m.panel.flush();
    let highest = -1;
    for (const call of m.meter.calls) {
      const indexes = call.keys.map((k) => /\.parts\[(\d+)\]$/.exec(k)).filter(Boolean).map((r) => Number(r![1]));
      expect(call.keys.every((k) => !/\.parts$/.test(k))).toBe(true); // never the whole list of blocks
      for (const i of indexes) expect(i).toBeGreaterThanOrEqual(highest); // an earlier block never again
      highest = Math.max(highest, ...indexes);
    }
    const whole = mount({ messages: [{ id: 'md4', role: 'assistant', type: 'markdown', content: source }] });
    const viewOf = (mm: Mounted) => JSON.stringify(mm.panel.data.chunks.c0.find((r: any) => r.id.startsWith('md')).parts.filter((g: unknown[]) => g.length));
    expect(viewOf(m)).toBe(viewOf(whole));
    const total = m.meter.totalBytes();
    // eslint-disable-next-line no-console
    console.log(`markdown stream: source ${source.length} chars, ${m.meter.calls.length} flushes, setData ${total} B`);
  });

  const HOSTILE: [string, string][] = [
    ['10,000 nested quotes', '>'.repeat(10000) + ' deep'],
    ['200 quote lines, each one level deeper', Array.from({ length: 200 }, (_, i) => '> '.repeat(i + 1) + 'level ' + i).join('\n')],
    ['3,000 nested lists', '- '.repeat(3000) + 'x'],
    ['a 1 MB line', 'a'.repeat(1 << 20)],
    ['an unclosed fence', 'before\n\n```js\nlet x = 1;\n\nstill code'],
    ['HTML and script', '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href="javascript:alert(1)">x</a> <b>bold?</b>'],
    ['5,000 nested brackets', '['.repeat(5000) + 'a' + ']'.repeat(5000) + '(x)'],
    ['200,000 emphasis marks', '*a'.repeat(100000)],
  ];

  test.each(HOSTILE)('%s: rendered as text within the setData budget; the panel keeps working', (_name, source) => {
    const m = mount({ messages: many(2) });
    m.meter.reset();
    m.panel.appendMessage({ id: 'h1', role: 'assistant', type: 'markdown', content: source });
    m.panel.flush();
    m.panel.appendMessage({ id: 'h2', role: 'assistant', content: 'still alive', status: 'streaming' });
    m.panel.appendDelta('h2', '!');
    m.panel.flush();
    for (const c of m.meter.calls) expect(c.bytes).toBeLessThan(AUDIT_BUDGET);
    const shown = rows(m.comp).find((r) => r.id === 'h1')!.text.replace(/\s+|复制/g, '');
    const expected = source.slice(0, 1000).replace(/<[^>]*>/g, '').replace(/[>*\-\[\]()`#\s]/g, '');
    expect(shown.replace(/<[^>]*>/g, '').replace(/[>*\-\[\]()`#•]/g, '')).toContain(expected.slice(0, 200));
    expect(rows(m.comp).find((r) => r.id === 'h2')!.text).toBe('still alive!');
    expect(m.comp.dom!.innerHTML).not.toMatch(/<script|<img/i);
  });

  test('a 1 MB line streamed in 1,000 pieces: every flush within budget, rendering stops at the limit with "…"', () => {
    const m = mount({});
    m.panel.appendMessage({ id: 'h3', role: 'assistant', type: 'markdown', content: '', status: 'streaming' });
    m.meter.reset();
    const piece = 'b'.repeat(1 << 10);
    for (let i = 0; i < 1000; i++) {
      m.panel.appendDelta('h3', piece);
      if (i % 10 === 9) m.panel.flush();
    }
    m.panel.updateMessage('h3', { status: 'sent' });
    m.panel.flush();
    for (const c of m.meter.calls) expect(c.bytes).toBeLessThan(AUDIT_BUDGET);
    expect(m.meter.totalBytes()).toBeLessThan(3 * 60000 + 20000);
    expect(rows(m.comp)[0].text.endsWith('…')).toBe(true);
    expect((m.panel.getMessage('h3')!.content as string).length).toBe(1000 << 10); // the message keeps every byte
  });
});
