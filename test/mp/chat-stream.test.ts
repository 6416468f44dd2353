/**
 * Streamed replies in the built chat-panel: appendDelta sends each piece once by data path
 * (`parts[k]`), pieces coalesce per flush, `streaming` ends as `sent`/`failed`, typing dots and a
 * stop button, and the view follows a growing reply only when the reader is at the bottom.
 */
import { MAX_TEXT_PARTS } from '../../miniprogram_dist/components/chat-panel/parts';
import { bytesOf, expectBadRequest, fire, many, mount, msg, rows, scrollUp, simulate, Mounted } from './chat-harness';

/** A reply of exactly `chars` characters, mixed ASCII and CJK like a real assistant answer. */
function reply(chars: number): string {
  const base = 'Streaming 回复 with **Markdown**-like text, 第 N 段。\n';
  return base.repeat(Math.ceil(chars / base.length)).slice(0, chars);
}

function pieces(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size));
}

function bubbleText(m: Mounted, id: string): string {
  const row = rows(m.comp).find((r) => r.id === id);
  if (!row) throw new Error('no row ' + id);
  return row.text;
}


/** Streams `parts` into message `id`, one piece every `everyMs` (fake timers), and records when each setData ran. */
function stream(m: Mounted, id: string, parts: string[], everyMs: number): number[] {
  const times: number[] = [];
  const t0 = Date.now();
  const original = m.meter.calls.push.bind(m.meter.calls);
  m.meter.calls.push = (...c) => {
    times.push(Date.now() - t0);
    return original(...c);
  };
  for (const piece of parts) {
    m.panel.appendDelta(id, piece);
    jest.advanceTimersByTime(everyMs);
  }
  jest.advanceTimersByTime(500);
  m.meter.calls.push = original;
  return times;
}

/** Most setData calls inside any one-second window. */
function maxPerSecond(times: number[]): number {
  return times.reduce((max, t) => Math.max(max, times.filter((u) => u >= t && u < t + 1000).length), 0);
}

afterEach(() => jest.useRealTimers());

describe('a 20,000-character reply streamed in 1,000 pieces', () => {
  const text = reply(20000);
  const replyBytes = Buffer.byteLength(text, 'utf8');

  test.each([
    ['one piece every 10 ms (10 s)', 10],
    ['one piece every 1 ms (1 s)', 1],
  ])('%s: setData bytes ≤ 3× the reply, ≤ 20 calls per second, the text arrives whole', (_name, everyMs) => {
    const m = mount({ messages: many(30), flushInterval: 100 });
    jest.useFakeTimers();
    m.panel.appendMessage({ id: 'r1', role: 'assistant', content: '', status: 'streaming' });
    m.panel.flush();
    m.meter.reset();
    const times = stream(m, 'r1', pieces(text, 1000), everyMs);
    m.panel.updateMessage('r1', { status: 'sent' });
    m.panel.flush();

    const total = m.meter.totalBytes();
    expect(total).toBeLessThanOrEqual(3 * replyBytes);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(20);
    expect(bubbleText(m, 'r1')).toBe(text.trim());
    expect(m.panel.getMessage('r1')).toMatchObject({ content: text, status: 'sent' });
    // pieces went by path; only the last call (the fold into one content) carries the whole reply
    const big = m.meter.calls.filter((c) => c.bytes > replyBytes / 2);
    expect(big).toHaveLength(1);
    expect(m.meter.calls[m.meter.calls.length - 1]).toBe(big[0]);
    expect(m.meter.calls.slice(0, -1).every((c) => c.keys.every((k) => /\.parts\[\d+\]$|^intoView$|^streaming$/.test(k)))).toBe(true);
    // eslint-disable-next-line no-console
    console.log(`stream ${everyMs} ms/piece: reply ${replyBytes} B, setData ${total} B in ${m.meter.calls.length} calls (${(total / replyBytes).toFixed(2)}×), max ${maxPerSecond(times)}/s`);
  });

  test('the whole-content update it replaces costs more than 20× as much for the same stream', () => {
    const m = mount({ messages: many(30), flushInterval: 100 });
    jest.useFakeTimers();
    m.panel.appendMessage({ id: 'w1', role: 'assistant', content: '' });
    m.panel.flush();
    m.meter.reset();
    let sofar = '';
    for (const piece of pieces(text, 1000)) {
      sofar += piece;
      m.panel.updateMessage('w1', { content: sofar });
      jest.advanceTimersByTime(10);
    }
    jest.advanceTimersByTime(500);
    expect(m.meter.totalBytes()).toBeGreaterThan(20 * replyBytes);
  });
});

describe('pieces, parts and statuses', () => {
  test('pieces between two flushes become one part; each flush sends only its new part', () => {
    const m = mount({ messages: many(3) });
    m.panel.appendMessage({ id: 'r2', role: 'assistant', content: 'Hel', status: 'streaming' });
    m.panel.flush();
    m.meter.reset();
    m.panel.appendDelta('r2', 'lo');
    m.panel.appendDelta('r2', ', ');
    m.panel.flush();
    m.panel.appendDelta('r2', 'world');
    m.panel.flush();
    const partKeys = m.meter.calls.map((c) => c.keys.filter((k) => k.includes('.parts[')));
    expect(partKeys).toEqual([[expect.stringMatching(/\.parts\[1\]$/)], [expect.stringMatching(/\.parts\[2\]$/)]]);
    expect(m.meter.calls[0].bytes).toBeLessThan(bytesOf({ 'chunks.c0[3].parts[1]': 'lo, ' }) + 40);
    expect(bubbleText(m, 'r2')).toBe('Hello, world');
  });

  test('a text that starts streaming by update, then fails, keeps what arrived in one content', () => {
    const m = mount({ messages: [msg({ id: 'r3', content: 'Part one. ' })] });
    m.panel.updateMessage('r3', { status: 'streaming' });
    m.panel.appendDelta('r3', 'Part two.');
    m.panel.flush();
    expect(bubbleText(m, 'r3')).toBe('Part one. Part two.');
    m.panel.updateMessage('r3', { status: 'failed' });
    m.panel.flush();
    const row = m.panel.data.chunks.c0[0];
    expect(row.parts === undefined || row.parts === '').toBe(true);
    expect(row.content).toBe('Part one. Part two.');
    expect(m.comp.querySelector('.hk-chat__status--failed')).toBeTruthy();
  });

  test(`a very long stream folds its parts so one bubble never holds more than ${MAX_TEXT_PARTS}`, () => {
    const m = mount({});
    m.panel.appendMessage({ id: 'r4', role: 'assistant', content: '', status: 'streaming' });
    for (let i = 0; i < MAX_TEXT_PARTS * 2 + 5; i++) {
      m.panel.appendDelta('r4', `p${i} `);
      m.panel.flush();
    }
    const parts: string[] = m.panel.data.chunks.c0[0].parts;
    expect(parts.length).toBeLessThanOrEqual(MAX_TEXT_PARTS);
    expect(parts.join('')).toBe(m.panel.getMessage('r4')!.content);
  });

  test('appendDelta refuses an unknown id, a finished message, a non-string and a non-text message', () => {
    const m = mount({ messages: [msg({ id: 'done', status: 'sent' }), { id: 'img', role: 'server', type: 'image', content: 'https://x/a.png', status: 'streaming' }] });
    m.panel.appendMessage({ id: 'live', role: 'assistant', content: 'ok', status: 'streaming' });
    expectBadRequest(() => m.panel.appendDelta('nope', 'x'), /no message with id "nope"/);
    expectBadRequest(() => m.panel.appendDelta('done', 'x'), /not streaming \(status sent\)/);
    expectBadRequest(() => m.panel.appendDelta('live', 42), /text must be a string/);
    expectBadRequest(() => m.panel.appendDelta('img', 'x'), /only text and markdown messages stream \(type image\)/);
    m.panel.flush();
    expect(m.panel.getMessage('live')!.content).toBe('ok');
    expect(m.panel.getMessage('done')!.status).toBe('sent');
  });
});

describe('typing indicator and stop button', () => {
  test('a streaming reply shows typing dots (and no empty bubble) and the stop button; tapping stop ends it', async () => {
    const m = mount({ messages: many(2) });
    expect(m.comp.querySelector('.hk-chat__stop')).toBeFalsy();
    m.panel.appendMessage({ id: 'r5', role: 'assistant', content: '', status: 'streaming' });
    m.panel.flush();
    expect(m.comp.querySelectorAll('.hk-chat__typing')).toHaveLength(1);
    expect(m.comp.querySelectorAll('.hk-chat__bubble')).toHaveLength(2); // only the two finished messages
    const stop = m.comp.querySelector('.hk-chat__stop');
    expect(stop).toBeTruthy();
    expect(stop!.dom!.getAttribute('aria-label') || stop!.dom!.textContent).toMatch(/停止/);

    m.panel.appendDelta('r5', 'Half an answer');
    m.panel.flush();
    expect(m.comp.querySelectorAll('.hk-chat__bubble')).toHaveLength(3);
    m.comp.querySelector('.hk-chat__stop')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(m.events.filter((e) => e.name === 'stop')).toEqual([{ name: 'stop', detail: { id: 'r5', message: expect.objectContaining({ content: 'Half an answer', status: 'sent' }) } }]);
    expect(m.comp.querySelector('.hk-chat__stop')).toBeFalsy();
    expect(m.comp.querySelector('.hk-chat__send')).toBeTruthy();
    expect(m.comp.querySelector('.hk-chat__typing')).toBeFalsy();
    expect(() => m.panel.appendDelta('r5', ' late piece')).toThrow(/not streaming/);
    expect(bubbleText(m, 'r5')).toBe('Half an answer');
  });
});

describe('follow-bottom while streaming', () => {
  test('at the bottom each flush of a growing reply scrolls; scrolled up it never does and counts no unread', async () => {
    const m = mount({ messages: many(20) });
    m.panel.appendMessage({ id: 'r6', role: 'assistant', content: '', status: 'streaming' });
    m.panel.flush();
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      m.panel.appendDelta('r6', 'more text ');
      m.panel.flush();
      seen.add(m.panel.data.intoView);
    }
    expect(seen.size).toBe(2); // alternating sentinels: every flush really scrolls

    await scrollUp(m.comp);
    m.meter.reset();
    for (let i = 0; i < 4; i++) {
      m.panel.appendDelta('r6', 'more text ');
      m.panel.flush();
    }
    expect(m.meter.calls).toHaveLength(4);
    expect(m.meter.calls.every((c) => !c.keys.includes('intoView') && !c.keys.includes('unread'))).toBe(true);
    expect(m.comp.querySelector('.hk-chat__chip')).toBeFalsy();
    await fire(m.comp, '.hk-chat__list', 'scroll', { scrollTop: 5000, scrollHeight: 5000 });
    m.panel.appendDelta('r6', 'end');
    m.panel.flush();
    expect(m.meter.calls[m.meter.calls.length - 1].keys).toContain('intoView');
  });
});
