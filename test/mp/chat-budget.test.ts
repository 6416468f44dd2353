/**
 * The numbers the issue asks for, measured on the built component: setData bytes per append at
 * 10,000 messages, setData calls for a 200-message burst, rendered nodes at 10,000 messages.
 */
import { bytesOf, fire, mount, msg, nodeCount, rowIds, ChatMessage } from './chat-harness';

const AUDIT_BUDGET = 256 * 1024;

/** A conversation of `n` messages: text, both sides, a time every 10 minutes, some names/avatars/statuses. */
function conversation(n: number, prefix: string): ChatMessage[] {
  const t0 = new Date(2021, 5, 1, 8, 0).getTime();
  return Array.from({ length: n }, (_, i) => {
    const m: ChatMessage = { id: `${prefix}${i}`, role: i % 3 === 0 ? 'me' : 'server', content: `消息 ${i}：今天的会议改到下午三点` };
    if (i % 7 === 0) m.time = t0 + i * 10 * 60 * 1000;
    if (i % 5 === 0) {
      m.name = 'Server bot';
      m.avatar = 'https://example.com/avatar/bot.png';
    }
    if (i % 3 === 0) m.status = i % 9 === 0 ? 'failed' : 'sent';
    return m;
  });
}

/** Appends `count` same-shaped messages one by one, flushing each; returns the bytes of each setData call. */
function appendOneByOne(panel: ReturnType<typeof mount>['panel'], meter: ReturnType<typeof mount>['meter'], count: number): number[] {
  meter.reset();
  for (let i = 0; i < count; i++) {
    panel.appendMessage({ id: `live${String(i).padStart(4, '0')}`, role: 'server', content: '新消息：请确认订单 #20231' });
    panel.flush();
  }
  expect(meter.calls.length).toBe(count); // one call per append, never more
  return meter.calls.map((c) => c.bytes);
}

describe('setData bytes per append stay constant, about the size of the message', () => {
  test('appending to a 10,000-message conversation costs the same as appending to a 100-message one', () => {
    const small = mount({ messages: conversation(100, 's') });
    const large = mount({ messages: conversation(10000, 'l') });
    const initialLoad = large.meter.calls.reduce((max, c) => Math.max(max, c.bytes), 0);
    expect(initialLoad).toBeLessThan(AUDIT_BUDGET / 4); // the first render sends only the window

    const smallBytes = appendOneByOne(small.panel, small.meter, 60);
    const largeBytes = appendOneByOne(large.panel, large.meter, 60);
    const message = { id: 'live0000', side: 'other', type: 'text', content: '新消息：请确认订单 #20231' };
    const messageBytes = bytesOf(message);

    // the path key, the row and the scroll target; nothing grows with the conversation
    const plain = largeBytes.filter((b, i) => !large.meter.calls[i].keys.includes('chunkIds'));
    expect(plain.length).toBeGreaterThanOrEqual(57);
    for (const b of plain) {
      expect(b).toBeGreaterThanOrEqual(messageBytes);
      expect(b).toBeLessThanOrEqual(messageBytes + 80);
    }
    // every 20th append opens a chunk: also the short chunk list and the dropped chunk (a few dozen bytes)
    const boundary = largeBytes.filter((b, i) => large.meter.calls[i].keys.includes('chunkIds'));
    expect(boundary.length).toBeGreaterThanOrEqual(2);
    for (const b of boundary) expect(b).toBeLessThanOrEqual(messageBytes + 200);
    // the same append at 10,000 costs what it costs at 100 (chunk keys differ by a few digits; at a
    // chunk boundary the large one also drops its oldest rendered chunk: one `"chunks.cN":null`)
    largeBytes.forEach((b, i) => {
      const boundaryCall = large.meter.calls[i].keys.includes('chunkIds');
      expect(Math.abs(b - smallBytes[i])).toBeLessThanOrEqual(boundaryCall ? 40 : 8);
    });
    // eslint-disable-next-line no-console
    console.log(`append bytes at 10,000 messages: message ${messageBytes} B, setData min ${Math.min(...largeBytes)} B, max ${Math.max(...largeBytes)} B; first render ${initialLoad} B`);
  });

  test('the whole-list approach of the old chat page would send the whole conversation each time', () => {
    // the baseline the component replaces: setData({ list }) with 10,000 messages
    const list = conversation(10000, 'b');
    expect(bytesOf({ list })).toBeGreaterThan(AUDIT_BUDGET * 4);
  });
});

describe('bursts are batched', () => {
  afterEach(() => jest.useRealTimers());

  test('200 messages arriving over one second go out in at most 20 setData calls', () => {
    const { comp, panel, meter } = mount({ messages: conversation(500, 'h'), flushInterval: 100 });
    jest.useFakeTimers();
    meter.reset();
    for (let i = 0; i < 200; i++) {
      panel.appendMessage(msg());
      jest.advanceTimersByTime(5); // 200 × 5 ms = one second
    }
    jest.advanceTimersByTime(200);
    expect(meter.calls.length).toBeGreaterThan(1);
    expect(meter.calls.length).toBeLessThanOrEqual(20);
    const ids = rowIds(comp);
    expect(ids[ids.length - 1]).toBe(panel.getMessages()[699].id); // every message of the burst arrived
    for (const c of meter.calls) expect(c.bytes).toBeLessThan(AUDIT_BUDGET);
    // eslint-disable-next-line no-console
    console.log(`200-message burst over 1 s: ${meter.calls.length} setData calls, largest ${Math.max(...meter.calls.map((c) => c.bytes))} B`);
  });

  test('200 messages in one synchronous burst become a single setData call', () => {
    const { panel, meter } = mount({ messages: conversation(50, 'y') });
    jest.useFakeTimers();
    meter.reset();
    for (let i = 0; i < 200; i++) panel.appendMessage(msg());
    jest.advanceTimersByTime(50);
    expect(meter.calls.length).toBe(1);
    expect(meter.calls[0].keys).not.toContain('chunks');
  });
});

describe('rendered nodes stay under the audit limit', () => {
  test('10,000 messages render fewer than 1,000 nodes, also after paging up and down', async () => {
    const { comp, panel } = mount({ messages: conversation(10000, 'n') });
    const counts = [nodeCount(comp)];
    for (let i = 0; i < 8; i++) await fire(comp, '.hk-chat__list', 'scrolltoupper');
    counts.push(nodeCount(comp));
    for (let i = 0; i < 3; i++) await fire(comp, '.hk-chat__list', 'scrolltolower');
    counts.push(nodeCount(comp));
    panel.scrollToBottom();
    panel.flush();
    counts.push(nodeCount(comp));
    for (const n of counts) {
      expect(n).toBeGreaterThan(200); // the window is really rendered
      expect(n).toBeLessThan(1000);
    }
    expect(rowIds(comp).length).toBeLessThanOrEqual(120);
    // eslint-disable-next-line no-console
    console.log(`nodes at 10,000 messages: ${counts.join(' / ')} (bottom / paged up / paged down / back at bottom), rows ${rowIds(comp).length}`);
  });
});
