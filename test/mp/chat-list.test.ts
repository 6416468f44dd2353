import { many, mount, msg, rows, rowIds, simulate } from './chat-harness';

describe('chat-panel list: roles, types, updates by data path', () => {
  test('roles: self on the right, system centred, anything else on the left; type defaults to text', () => {
    const { comp, panel } = mount();
    panel.appendMessages([
      msg({ id: 'a', role: 'me', content: 'hello' }),
      msg({ id: 'b', role: 'server', content: 'hi there' }),
      msg({ id: 'c', role: 'system', content: 'Alice joined' }),
      msg({ id: 'd', role: 'user-42', content: 'yo' }),
    ]);
    panel.flush();
    expect(rows(comp)).toEqual([
      { id: 'a', side: 'self', text: 'hello' },
      { id: 'b', side: 'other', text: 'hi there' },
      { id: 'c', side: 'system', text: 'Alice joined' },
      { id: 'd', side: 'other', text: 'yo' },
    ]);
    expect(panel.getMessage('a')!.type).toBe('text');
    expect(comp.querySelectorAll('.hk-chat__bubble').length).toBe(3);
    expect(comp.querySelectorAll('.hk-chat__system').length).toBe(1);
  });

  test('the `self` property decides which role is drawn on the right', () => {
    const { comp, panel } = mount({ self: 'u1' });
    panel.appendMessages([msg({ id: 'x', role: 'u1' }), msg({ id: 'y', role: 'me' })]);
    panel.flush();
    expect(rows(comp).map((r) => r.side)).toEqual(['self', 'other']);
  });

  test('the `messages` property loads an initial list; scroll-into-view ids are prefixed and unique', () => {
    const initial = many(5);
    const one = mount({ messages: initial });
    const two = mount({ messages: many(2) });
    expect(rowIds(one.comp)).toEqual(initial.map((m) => m.id));
    const domIds = one.comp.querySelectorAll('.hk-chat__row').map((r: any) => r._exparserNode.id as string);
    expect(domIds.every((id: string) => /^hkc\d+-/.test(id))).toBe(true);
    expect(one.panel.data.anchorPrefix).not.toBe(two.panel.data.anchorPrefix);
    // the bottom sentinel each scroll goes to is prefixed too
    expect(one.panel.data.intoView.startsWith(one.panel.data.anchorPrefix)).toBe(true);
  });

  test('appends go by data path; no call ever re-sends the whole list', () => {
    const { panel, meter } = mount({ messages: many(30) });
    meter.reset();
    for (let i = 0; i < 25; i++) {
      panel.appendMessage(msg());
      panel.flush();
    }
    panel.updateMessage(panel.getMessages()[40].id, { status: 'failed' });
    panel.flush();
    expect(meter.calls.length).toBe(26);
    for (const call of meter.calls) {
      expect(call.keys).not.toContain('chunks');
      for (const key of call.keys) expect(key).toMatch(/^(chunks\.c\d+(\[\d+\](\.\w+)?)?|chunkIds|intoView|unread|unreadText)$/);
    }
    // rows 41+ open a new chunk: one short key list goes out once, never the rows
    const withIds = meter.calls.filter((c) => c.keys.includes('chunkIds'));
    expect(withIds.length).toBe(1);
    expect(meter.calls[25].keys).toEqual(['chunks.c2[0].status']);
  });

  test('update changes status and content by path; remove drops exactly one row', () => {
    const { comp, panel, meter } = mount();
    const list = many(3, { role: 'me', status: 'sending' });
    panel.appendMessages(list);
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__status--sending').length).toBe(3);
    meter.reset();
    panel.updateMessage(list[1].id, { status: 'sent', content: 'edited' });
    panel.flush();
    expect(meter.calls[0].keys.sort()).toEqual(['chunks.c0[1].content', 'chunks.c0[1].status']);
    expect(comp.querySelectorAll('.hk-chat__status--sending').length).toBe(2);
    expect(rows(comp)[1].text).toBe('edited');
    panel.removeMessage(list[0].id);
    panel.flush();
    expect(rowIds(comp)).toEqual([list[1].id, list[2].id]);
    expect(panel.getMessages().map((m) => m.id)).toEqual([list[1].id, list[2].id]);
  });

  test('image messages render an image; other types go to the chat-custom generic', async () => {
    const { comp, panel, events } = mount();
    panel.appendMessages([
      msg({ id: 'img', type: 'image', content: 'https://example.com/a.png' }),
      msg({ id: 'card', type: 'card', content: { title: 'Order 12' } as unknown as string }),
    ]);
    panel.flush();
    const img = comp.querySelector('.hk-chat__image')!;
    expect(img).toBeTruthy();
    expect(comp.querySelectorAll('.hk-chat__custom').length).toBe(1);
    expect(comp.querySelectorAll('.hk-chat__bubble').length).toBe(0);
    img.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(events.filter((e) => e.name === 'imagetap').map((e) => e.detail)).toEqual([{ id: 'img', url: 'https://example.com/a.png' }]);
  });

  test('names and avatars are optional and rendered only when given', () => {
    const { comp, panel } = mount();
    panel.appendMessages([msg({ name: 'Bob', avatar: 'https://example.com/b.png' }), msg()]);
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__avatar').length).toBe(1);
    expect(comp.querySelectorAll('.hk-chat__name').map((n: any) => n.dom.textContent)).toEqual(['Bob']);
  });

  test('timestamps are grouped: a time line only after a gap of more than timeGap', () => {
    const { comp, panel } = mount({ timeGap: 5 * 60 * 1000 });
    const t0 = new Date(2020, 0, 2, 9, 30).getTime();
    const min = 60 * 1000;
    panel.appendMessages([t0, t0 + min, t0 + 3 * min, t0 + 10 * min, t0 + 11 * min].map((time) => msg({ time })));
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__time').map((t: any) => t.dom.textContent)).toEqual(['2020年1月2日 09:30', '2020年1月2日 09:40']);
    // removing the message that opened the second group moves the time line to the next one
    const ids = panel.getMessages().map((m) => m.id);
    panel.removeMessage(ids[3]);
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__time').map((t: any) => t.dom.textContent)).toEqual(['2020年1月2日 09:30', '2020年1月2日 09:41']);
  });

  test('clear empties the list in one small update', () => {
    const { comp, panel, meter } = mount({ messages: many(50) });
    meter.reset();
    panel.clear();
    expect(rows(comp)).toEqual([]);
    expect(panel.getMessages()).toEqual([]);
    expect(meter.calls.length).toBe(1);
    expect(meter.calls[0].bytes).toBeLessThan(100);
  });
});
