/**
 * The documented page wiring, end to end: the built chat-panel, linkChatPanel from
 * miniprogram_dist, and a real `ws` server on 127.0.0.1 (port 0) speaking the v1 frames.
 */
import * as path from 'path';
import type { AddressInfo } from 'net';
import { linkChatPanel, ChatLink, FrameLink } from '../../miniprogram_dist/components/chat-panel/socket-link';
import { fire, mount, rows, simulate } from './chat-harness';

// The jsdom environment resolves `ws` to its browser stub; load the Node build by path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WS = require(path.resolve(__dirname, '../../node_modules/ws/index.js'));

type Frame = Record<string, any>;

interface Relay {
  url: string;
  received: Frame[];
  /** What the relay does with a chat message from the panel. */
  mode: 'ack-and-reply' | 'refuse' | 'silent';
  push(frame: Frame): void;
  close(): Promise<void>;
}

/** A tiny relay: acks chat messages (or refuses them) and answers with a server message. */
async function startRelay(): Promise<Relay> {
  const server = new WS.WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const relay: Relay = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: [],
    mode: 'ack-and-reply',
    push: (frame) => server.clients.forEach((c: any) => c.send(JSON.stringify(frame))),
    close: () =>
      new Promise<void>((resolve) => {
        server.clients.forEach((c: any) => c.terminate());
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: any) => {
    socket.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString());
      relay.received.push(frame);
      if (frame.type !== 'message') return;
      if (relay.mode === 'refuse') socket.send(JSON.stringify({ type: 'error', id: frame.id, code: 'RATE_LIMITED', message: 'slow down' }));
      if (relay.mode !== 'ack-and-reply') return;
      socket.send(JSON.stringify({ type: 'ack', id: frame.id }));
      socket.send(JSON.stringify({ type: 'message', id: 'r-' + frame.id, event: 'chat', from: 'server', seq: relay.received.length, data: { text: 'echo: ' + frame.data.text } }));
    });
  });
  return relay;
}

/** A page-side socket on the `ws` client: the two functions linkChatPanel needs. */
async function openLink(url: string): Promise<{ link: FrameLink; close(): Promise<void> }> {
  const socket = new WS(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    link: {
      send: (frame) => socket.send(JSON.stringify(frame)),
      onFrame: (listener) => {
        const handler = (raw: Buffer) => listener(JSON.parse(raw.toString()));
        socket.on('message', handler);
        return () => socket.off('message', handler);
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await simulate.sleep(5);
  if (!check()) throw new Error('timed out waiting for ' + what);
}

describe('chat-panel wired to a real socket (docs/chat-panel.md, "Wiring it to a socket")', () => {
  let relay: Relay;
  let client: Awaited<ReturnType<typeof openLink>>;
  let chatLink: ChatLink | undefined;

  beforeEach(async () => {
    relay = await startRelay();
    client = await openLink(relay.url);
  });

  afterEach(async () => {
    if (chatLink) chatLink.dispose();
    await client.close();
    await relay.close();
  });

  test('send → frame with the message id; ack → sent; the reply is appended and acked', async () => {
    const { comp, panel, events } = mount();
    chatLink = linkChatPanel(panel as never, client.link, { ackTimeout: 2000 });
    await fire(comp, '.hk-chat__input', 'input', { value: ' 你好 ' });
    await fire(comp, '.hk-chat__send', 'tap');
    const sent = events.find((e) => e.name === 'send')!.detail.message;
    chatLink.send(sent); // what the page's bindsend handler does
    await until(() => panel.getMessages().length === 2, 'the reply');
    panel.flush();
    expect(relay.received[0]).toMatchObject({ type: 'message', id: sent.id, event: 'chat', data: { text: '你好' } });
    expect(panel.getMessage(sent.id)!.status).toBe('sent');
    expect(rows(comp).map((r) => [r.side, r.text])).toEqual([
      ['self', '你好'],
      ['other', 'echo: 你好'],
    ]);
    await until(() => relay.received.some((f) => f.type === 'ack'), 'the ack of the reply');
    expect(relay.received.filter((f) => f.type === 'ack')).toEqual([{ type: 'ack', id: 'r-' + sent.id }]);
    // a redelivered reply is acked again but not shown twice
    relay.push({ type: 'message', id: 'r-' + sent.id, event: 'chat', from: 'server', data: { text: 'echo: 你好' } });
    await until(() => relay.received.filter((f) => f.type === 'ack').length === 2, 'the second ack');
    expect(panel.getMessages().length).toBe(2);
  });

  test('refused by the relay → failed; the retry tap resends and the ack marks it sent', async () => {
    const { comp, panel, events } = mount();
    chatLink = linkChatPanel(panel as never, client.link, { ackTimeout: 2000 });
    relay.mode = 'refuse';
    await fire(comp, '.hk-chat__input', 'input', { value: 'order #12' });
    await fire(comp, '.hk-chat__send', 'tap');
    const sent = events.find((e) => e.name === 'send')!.detail.message;
    chatLink.send(sent);
    await until(() => panel.getMessage(sent.id)!.status === 'failed', 'the failure');
    panel.flush();
    relay.mode = 'ack-and-reply';
    await fire(comp, '.hk-chat__status--failed', 'tap');
    const retry = events.find((e) => e.name === 'retry')!.detail;
    expect(panel.getMessage(sent.id)!.status).toBe('sending');
    chatLink.send(retry.message); // what the page's bindretry handler does
    await until(() => panel.getMessage(sent.id)!.status === 'sent', 'the ack after retry');
    expect(relay.received.filter((f) => f.type === 'message' && f.id === sent.id).length).toBe(2);
  });

  test('no ack within ackTimeout → failed; a send the socket refuses locally fails at once', async () => {
    const { panel } = mount();
    chatLink = linkChatPanel(panel as never, client.link, { ackTimeout: 30 });
    relay.mode = 'silent';
    panel.appendMessage({ id: 'late', role: 'me', content: 'anyone?', status: 'sending' });
    chatLink.send(panel.getMessage('late')!);
    await until(() => panel.getMessage('late')!.status === 'failed', 'the ack timeout');
    chatLink.dispose();
    const offline = linkChatPanel(panel as never, {
      send: () => {
        throw new Error('OFFLINE');
      },
      onFrame: () => () => undefined,
    });
    panel.appendMessage({ id: 'off', role: 'me', content: 'x', status: 'sending' });
    offline.send(panel.getMessage('off')!);
    expect(panel.getMessage('off')!.status).toBe('failed');
    offline.dispose();
  });

  test('ackIncoming=false leaves acking to the socket client; ackTimeout=0 never times out', async () => {
    const { panel } = mount();
    chatLink = linkChatPanel(panel as never, client.link, { ackIncoming: false, ackTimeout: 0 });
    relay.mode = 'silent';
    relay.push({ type: 'message', id: 'in1', event: 'chat', from: 'u7', data: { text: 'hi' } });
    relay.push({ type: 'message', event: 'other-event', data: { text: 'not chat' } });
    await until(() => panel.getMessages().length === 1, 'the incoming message');
    expect(panel.getMessage('in1')).toMatchObject({ role: 'u7', content: 'hi' });
    panel.appendMessage({ id: 'wait', role: 'me', content: 'x', status: 'sending' });
    chatLink.send(panel.getMessage('wait')!);
    await until(() => relay.received.length === 1, 'the sent frame');
    await simulate.sleep(30);
    expect(relay.received.map((f) => f.type)).toEqual(['message']); // no ack from the link
    expect(panel.getMessage('wait')!.status).toBe('sending');
  });
});
