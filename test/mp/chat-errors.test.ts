import { expectBadRequest, many, mount, msg, rowIds, ChatPanel } from './chat-harness';

function setup(): { panel: ChatPanel; comp: ReturnType<typeof mount>['comp']; before: string[] } {
  const { panel, comp } = mount({ messages: many(25) });
  return { panel, comp, before: rowIds(comp) };
}

describe('chat-panel refuses bad input with HybridError BAD_REQUEST and loses nothing', () => {
  test.each([
    ['no id', { role: 'me', content: 'x' }, /needs an id/],
    ['empty id', { id: '', role: 'me', content: 'x' }, /needs an id/],
    ['not an object', 'hello', /must be an object/],
    ['no role', { id: 'z1', content: 'x' }, /role/],
    ['text content not a string', { id: 'z2', role: 'me', content: 42 }, /content of a text message must be a string/],
    ['bad status', { id: 'z3', role: 'me', content: 'x', status: 'read' }, /status must be one of/],
    ['bad time', { id: 'z4', role: 'me', content: 'x', time: 'yesterday-ish' }, /time/],
  ])('append: %s', (_name, bad, text) => {
    const { panel, comp, before } = setup();
    expectBadRequest(() => panel.appendMessage(bad), text);
    panel.flush();
    expect(rowIds(comp)).toEqual(before);
    expect(panel.getMessages().length).toBe(25);
  });

  test('duplicate ids: against the list, and inside one batch; a bad batch adds none of its entries', () => {
    const { panel, comp, before } = setup();
    expectBadRequest(() => panel.appendMessage(msg({ id: before[3] })), /duplicate message id/);
    const fresh = msg();
    expectBadRequest(() => panel.appendMessages([fresh, msg(), { ...fresh }]), /duplicate message id/);
    expectBadRequest(() => panel.appendMessages([msg(), { role: 'me' }]), /messages\[1\]/);
    panel.flush();
    expect(rowIds(comp)).toEqual(before);
    expect(panel.getMessage(fresh.id)).toBeUndefined();
    // numbers are accepted as ids and compared as strings
    panel.appendMessage(msg({ id: 7 as unknown as string }));
    expectBadRequest(() => panel.appendMessage(msg({ id: '7' })), /duplicate/);
  });

  test('unknown id on update and remove', () => {
    const { panel, comp, before } = setup();
    expectBadRequest(() => panel.updateMessage('nope', { status: 'sent' }), /updateMessage: no message with id "nope"/);
    expectBadRequest(() => panel.removeMessage('nope'), /removeMessage: no message with id "nope"/);
    panel.flush();
    expect(rowIds(comp)).toEqual(before);
  });

  test('bad patches: unknown fields, bad status, non-string text; the message keeps its values', () => {
    const { panel } = setup();
    const target = panel.getMessages()[2];
    expectBadRequest(() => panel.updateMessage(target.id, { role: 'me' }), /only status and content/);
    expectBadRequest(() => panel.updateMessage(target.id, { status: 'delivered' }), /status must be one of/);
    expectBadRequest(() => panel.updateMessage(target.id, { content: { html: '<b>' } }), /must be a string/);
    expectBadRequest(() => panel.updateMessage(target.id, null), /patch must be an object/);
    expect(panel.getMessage(target.id)).toEqual(target);
  });

  test('history must be an array of valid, new messages', () => {
    const { panel, comp, before } = setup();
    expectBadRequest(() => panel.prependHistory({ 0: msg() }), /history must be an array/);
    expectBadRequest(() => panel.prependHistory([msg(), msg({ id: before[0] })]), /duplicate message id/);
    expectBadRequest(() => panel.prependHistory([msg(), { id: 'h', role: 'me' }]), /history\[1\]/);
    panel.flush();
    expect(rowIds(comp)).toEqual(before);
    expect(panel.getMessages().length).toBe(25);
  });

  test('a bad `messages` property is refused with an error event; the conversation stays', async () => {
    const { panel, comp, before } = setup();
    const errors: unknown[] = [];
    comp.addEventListener('error', (e: { detail: unknown }) => errors.push(e.detail));
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    panel.setData({ messages: [msg(), { id: 'q' }] });
    spy.mockRestore();
    panel.flush();
    expect(errors).toEqual([{ code: 'BAD_REQUEST', message: expect.stringMatching(/messages\[1\]/) }]);
    expect(rowIds(comp)).toEqual(before);
  });
});
