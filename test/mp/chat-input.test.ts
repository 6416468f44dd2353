import { fire, many, mount, msg, rows, simulate } from './chat-harness';

const INPUT = '.hk-chat__input';
const SEND = '.hk-chat__send';

type Comp = ReturnType<typeof mount>['comp'];

async function type(comp: Comp, value: string): Promise<void> {
  await fire(comp, INPUT, 'input', { value, cursor: value.length });
}

function text(comp: Comp, selector: string): string | null {
  const el = comp.querySelector(selector);
  return el ? el.dom!.textContent : null;
}

describe('chat-panel input bar', () => {
  test('send button: emits `send` with the trimmed text, appends it as `sending`, clears the box', async () => {
    const { comp, panel, events } = mount({ messages: many(3) });
    await type(comp, '  hello world \n');
    await fire(comp, SEND, 'tap');
    const sends = events.filter((e) => e.name === 'send');
    expect(sends.length).toBe(1);
    expect(sends[0].detail.text).toBe('hello world');
    const sent = sends[0].detail.message;
    expect(sent).toMatchObject({ role: 'me', content: 'hello world', status: 'sending', type: 'text' });
    expect(panel.getMessage(sent.id)).toMatchObject({ status: 'sending' });
    const last = rows(comp)[3];
    expect(last).toEqual({ id: sent.id, side: 'self', text: 'hello world' });
    expect(comp.querySelectorAll('.hk-chat__status--sending').length).toBe(1);
    expect(panel.data.draft).toBe('');
    // the box is empty now, so a second tap is refused
    await fire(comp, SEND, 'tap');
    expect(events.filter((e) => e.name === 'send').length).toBe(1);
  });

  test('keyboard confirm sends too; blank and whitespace-only text is refused on both paths with a hint', async () => {
    const { comp, panel, events } = mount({ hintDuration: 20 });
    await type(comp, '   \n\t ');
    await fire(comp, SEND, 'tap');
    expect(text(comp, '.hk-chat__hint')).toBe('不能发送空白消息');
    await fire(comp, INPUT, 'confirm', { value: '  ' });
    await fire(comp, INPUT, 'confirm', { value: '' });
    expect(events.filter((e) => e.name === 'send')).toEqual([]);
    expect(panel.getMessages()).toEqual([]);
    await simulate.sleep(40);
    expect(text(comp, '.hk-chat__hint')).toBeNull(); // the hint goes away by itself
    await fire(comp, INPUT, 'confirm', { value: ' 好的 ' });
    expect(events.filter((e) => e.name === 'send').map((e) => e.detail.text)).toEqual(['好的']);
  });

  test('appendOnSend=false only emits `send` (the page appends when it wants)', async () => {
    const { comp, panel, events } = mount({ appendOnSend: false });
    await type(comp, 'hi');
    await fire(comp, SEND, 'tap');
    expect(events.filter((e) => e.name === 'send').map((e) => e.detail)).toEqual([{ text: 'hi', message: undefined }]);
    expect(panel.getMessages()).toEqual([]);
  });

  test('the bar rises with the keyboard (adjust-position off) and the newest message stays in view', async () => {
    const { comp, panel } = mount({ messages: many(5) });
    const before = panel.data.intoView;
    await fire(comp, INPUT, 'keyboardheightchange', { height: 300, duration: 0.25 });
    expect(panel.data.keyboardHeight).toBe(300);
    expect(comp.querySelector('.hk-chat__keyboard')!.dom!.getAttribute('style')).toMatch(/height:\s*300px/);
    expect(comp.querySelector('.hk-chat__bar')!.dom!.className).toMatch(/bar--keyboard/);
    expect(panel.data.intoView).not.toBe(before);
    await fire(comp, INPUT, 'keyboardheightchange', { height: 0, duration: 0.25 });
    expect(panel.data.keyboardHeight).toBe(0);
    expect(comp.querySelector('.hk-chat__bar')!.dom!.className).not.toMatch(/bar--keyboard/);
  });

  test('Chinese defaults; English with locale="en"; placeholder and button text configurable', async () => {
    const zh = mount();
    expect(text(zh.comp, SEND)).toBe('发送');
    expect(zh.panel.data.labels.placeholder).toBe('输入消息…');
    const en = mount({ locale: 'en' });
    expect(text(en.comp, SEND)).toBe('Send');
    expect(en.panel.data.labels.placeholder).toBe('Type a message…');
    await fire(en.comp, SEND, 'tap');
    expect(text(en.comp, '.hk-chat__hint')).toBe('Cannot send an empty message');
    const custom = mount({ locale: 'en', placeholder: 'Ask the bot', sendText: 'Go' });
    expect(text(custom.comp, SEND)).toBe('Go');
    expect(custom.panel.data.labels.placeholder).toBe('Ask the bot');
    // switching the locale later re-labels the bar and the chip
    await fire(en.comp, '.hk-chat__list', 'scroll', { scrollTop: 0, scrollHeight: 5000 });
    en.panel.appendMessages([msg(), msg()]);
    en.panel.flush();
    expect(text(en.comp, '.hk-chat__chip')).toBe('2 new messages');
    en.panel.setData({ locale: 'zh' });
    expect(text(en.comp, SEND)).toBe('发送');
    expect(text(en.comp, '.hk-chat__chip')).toBe('2 条新消息');
  });
});

describe('chat-panel statuses and retry', () => {
  test('sending → sent hides the spinner; failed shows a retry mark whose tap emits `retry`', async () => {
    const { comp, panel, events } = mount();
    panel.appendMessages([msg({ id: 'a', role: 'me', status: 'sending' }), msg({ id: 'b', role: 'me', status: 'sending' })]);
    panel.flush();
    panel.updateMessage('a', { status: 'sent' });
    panel.updateMessage('b', { status: 'failed' });
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__status--sending').length).toBe(0);
    expect(comp.querySelectorAll('.hk-chat__status--failed').length).toBe(1);
    await fire(comp, '.hk-chat__status--failed', 'tap');
    const retries = events.filter((e) => e.name === 'retry');
    expect(retries.map((e) => e.detail.id)).toEqual(['b']);
    expect(retries[0].detail.message).toMatchObject({ id: 'b', content: expect.any(String), role: 'me' });
    expect(panel.getMessage('b')!.status).toBe('sending');
    panel.flush();
    expect(comp.querySelectorAll('.hk-chat__status--failed').length).toBe(0);
    expect(comp.querySelectorAll('.hk-chat__status--sending').length).toBe(1);
  });
});
