import { fire, many, mount, msg, rowIds, scrollDown, scrollUp, simulate } from './chat-harness';

const LIST = '.hk-chat__list';

function chip(comp: ReturnType<typeof mount>['comp']): string | null {
  const el = comp.querySelector('.hk-chat__chip');
  return el ? el.dom!.textContent : null;
}

describe('chat-panel follows the bottom only when the reader is there', () => {
  test('at the bottom, incoming messages scroll into view; no chip', () => {
    const { comp, panel } = mount({ messages: many(10) });
    const seen = new Set<string>([panel.data.intoView]);
    for (let i = 0; i < 3; i++) {
      panel.appendMessage(msg());
      panel.flush();
      seen.add(panel.data.intoView);
    }
    // each follow changes scroll-into-view (two alternating prefixed sentinels), so none is a no-op
    expect(seen.size).toBe(2);
    expect([...seen].every((v) => v.startsWith(panel.data.anchorPrefix + 'end-'))).toBe(true);
    expect(chip(comp)).toBeNull();
  });

  test('scrolled up: new messages do not move the view; a chip counts them and jumps down', async () => {
    const { comp, panel, meter } = mount({ messages: many(10) });
    await scrollUp(comp);
    const before = panel.data.intoView;
    meter.reset();
    for (let i = 0; i < 3; i++) {
      panel.appendMessage(msg());
      panel.flush();
    }
    expect(panel.data.intoView).toBe(before);
    expect(chip(comp)).toBe('3 条新消息');
    expect(meter.calls.every((c) => !c.keys.includes('intoView'))).toBe(true);
    // scroll events without a change send nothing
    meter.reset();
    await scrollUp(comp);
    await fire(comp, LIST, 'scroll', { scrollTop: 100, scrollHeight: 5000 });
    expect(meter.calls.length).toBe(0);
    // the chip jumps down and goes away
    comp.querySelector('.hk-chat__chip')!.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(panel.data.intoView).not.toBe(before);
    expect(panel.data.intoView.startsWith(panel.data.anchorPrefix + 'end-')).toBe(true);
    expect(chip(comp)).toBeNull();
  });

  test('returning to the bottom clears the chip', async () => {
    const { comp, panel } = mount({ messages: many(5) });
    await scrollUp(comp);
    panel.appendMessage(msg());
    panel.flush();
    expect(chip(comp)).toBe('1 条新消息');
    await scrollDown(comp);
    expect(chip(comp)).toBeNull();
  });

  test('your own messages always scroll down, even when scrolled up', async () => {
    const { comp, panel } = mount({ messages: many(5) });
    await scrollUp(comp);
    panel.appendMessage(msg());
    panel.flush();
    const before = panel.data.intoView;
    panel.appendMessage(msg({ role: 'me' }));
    panel.flush();
    expect(panel.data.intoView).not.toBe(before);
    expect(chip(comp)).toBeNull();
  });

  test('scrollToBottom twice still changes scroll-into-view each time', () => {
    const { panel } = mount({ messages: many(5) });
    const values = [panel.data.intoView];
    panel.scrollToBottom();
    panel.flush();
    values.push(panel.data.intoView);
    panel.scrollToBottom();
    panel.flush();
    values.push(panel.data.intoView);
    expect(values[1]).not.toBe(values[0]);
    expect(values[2]).not.toBe(values[1]);
  });
});

describe('chat-panel renders a window and pages history in', () => {
  test('scrolling to the top pages in the chunk above, keeping the first visible message in place', async () => {
    const all = many(300);
    const { comp, panel } = mount({ messages: all });
    const shown = rowIds(comp);
    expect(shown.length).toBeLessThanOrEqual(120);
    expect(shown[shown.length - 1]).toBe(all[299].id);
    await fire(comp, LIST, 'scrolltoupper');
    const after = rowIds(comp);
    expect(after.length).toBeLessThanOrEqual(120);
    expect(after.indexOf(shown[0])).toBeGreaterThan(0); // older rows now above it
    expect(panel.data.intoView).toBe(panel.data.anchorPrefix + shown[0]); // reading position kept
    // the window is full, so the newest chunk left the DOM
    expect(after).not.toContain(all[299].id);
  });

  test('while scrolled into the past, new messages wait off-screen; scrolling down pages them in', async () => {
    const all = many(200);
    const { comp, panel } = mount({ messages: all, windowSize: 60 });
    await scrollUp(comp);
    await fire(comp, LIST, 'scrolltoupper'); // window leaves the newest chunk
    const shown = rowIds(comp);
    panel.appendMessages(many(5));
    panel.flush();
    expect(rowIds(comp)).toEqual(shown); // nothing moved under the reader
    expect(chip(comp)).toBe('5 条新消息');
    await fire(comp, LIST, 'scrolltolower');
    const down = rowIds(comp);
    expect(down[down.length - 1]).toBe(all[199].id);
    expect(panel.data.intoView).toBe(panel.data.anchorPrefix + shown[shown.length - 1]);
    await fire(comp, LIST, 'scrolltolower');
    const last = rowIds(comp);
    expect(last[last.length - 1]).toBe(panel.getMessages()[204].id);
    expect(last.length).toBeLessThanOrEqual(60);
  });

  test('at the oldest message it asks for history once, then prepends it keeping the position', async () => {
    const first = many(30);
    const { comp, panel, events } = mount({ messages: first });
    await fire(comp, LIST, 'scrolltoupper');
    await fire(comp, LIST, 'scrolltoupper'); // a second top hit while loading asks nothing more
    expect(events.filter((e) => e.name === 'loadhistory').map((e) => e.detail)).toEqual([{ beforeId: first[0].id }]);
    expect(comp.querySelector('.hk-chat__more')).toBeTruthy();
    const older = many(40);
    panel.prependHistory(older);
    panel.flush();
    const ids = rowIds(comp);
    expect(ids.slice(ids.indexOf(first[0].id))).toEqual(first.map((m) => m.id));
    expect(ids.indexOf(first[0].id)).toBeGreaterThan(0);
    expect(panel.data.intoView).toBe(panel.data.anchorPrefix + first[0].id);
    expect(panel.data.loadingHistory).toBe(false);
    expect(panel.getMessages().map((m) => m.id)).toEqual([...older, ...first].map((m) => m.id));
  });

  test('history loaded into an empty panel opens at its newest message', () => {
    const { comp, panel } = mount();
    const before = panel.data.intoView;
    const page = many(50);
    panel.prependHistory(page);
    panel.flush();
    expect(rowIds(comp)).toEqual(page.map((m) => m.id));
    expect(panel.data.intoView).not.toBe(before);
    expect(panel.data.intoView.startsWith(panel.data.anchorPrefix + 'end-')).toBe(true);
  });

  test('hasMore=false: no request, an end-of-history line instead', async () => {
    const { comp, panel, events } = mount({ messages: many(10) });
    await fire(comp, LIST, 'scrolltoupper');
    panel.prependHistory(many(3), false);
    panel.flush();
    await fire(comp, LIST, 'scrolltoupper');
    await fire(comp, LIST, 'scrolltoupper');
    expect(events.filter((e) => e.name === 'loadhistory').length).toBe(1);
    expect(comp.querySelector('.hk-chat__more')!.dom!.textContent).toBe('没有更早的消息了');
    expect(panel.getMessages().length).toBe(13);
  });

  test('messages appended while the page is hidden go out in one update on show', async () => {
    const { comp, panel, meter } = mount({ messages: many(3) });
    comp.triggerPageLifeTime('hide');
    meter.reset();
    for (let i = 0; i < 30; i++) panel.appendMessage(msg());
    await simulate.sleep(40);
    expect(meter.calls.length).toBe(0);
    comp.triggerPageLifeTime('show');
    expect(meter.calls.length).toBe(1);
    expect(rowIds(comp).length).toBe(33);
  });
});
