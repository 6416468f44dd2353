/**
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 *
 * The documented page wiring, end to end: the BUILT chat-panel and socket-link, a page with the
 * BUILT socket-manager behavior (wx.connectSocket backed by the real `ws` client), the real
 * our relay (the built src/server) on 127.0.0.1 behind a TCP proxy, and an H5-side SocketClient as
 * the peer. Withheld acks and a forged ack need the stand-in relay (misbehaving-relay.ts): those
 * three tests say so.
 */
import * as path from 'path';
import { MP_ROOT, Rendered } from '../helpers/mp-dist';
import { MisbehavingRelay } from '../helpers/misbehaving-relay';
import { ProxiedRelay, startProxiedRelay } from '../helpers/proxied-relay';
import { createWsWx, waitFor, WsWx } from '../helpers/ws-wx';
import { ChatLink, linkChatPanel, managerSocket } from '../../miniprogram_dist/components/chat-panel/socket-link';
import { loadManagerPage, manager } from './manager-page';
import type * as SocketModule from '../../src/core/socket';
import type * as WxSocketModule from '../../src/adapters/wx-socket';
import { ChatPanel, fire, mount } from './chat-harness';

// Our relay runs in this jest worker, in the mini program's (jsdom) environment, which has no
// setImmediate: the relay gets Node's (no mini program code uses it).
if (typeof setImmediate === 'undefined') Object.assign(globalThis, { setImmediate: require('timers').setImmediate });

const { SocketClient } = require(path.join(MP_ROOT, 'core/socket')) as typeof SocketModule;
const { wxSocketTransport } = require(path.join(MP_ROOT, 'adapters/wx-socket')) as typeof WxSocketModule;

const TIMINGS = { backoff: { base: 10, cap: 40 }, heartbeatInterval: 0, connectTimeout: 1000, closeTimeout: 100, minUptime: 100, ackTimeout: 100 };
const TOKEN = 'chat-t';

/** A page with socket-manager, configured in code (what the demo chat page does). */
let pageConfig: Record<string, unknown> = {};
const renderPage = loadManagerPage(() => pageConfig);

let relay: ProxiedRelay | undefined;
let server: MisbehavingRelay | undefined;
let wsWx: WsWx;
let peer: SocketModule.SocketClient;
let peerSeen: unknown[];
let page: Rendered;
let chatLink: ChatLink | undefined;

/** The page (socket-manager on `base`) and the H5 peer (on `peerUrl`), both open. */
async function openSides(base: string, peerUrl: string) {
  wsWx = createWsWx();
  const transport = wxSocketTransport({}, wsWx);
  pageConfig = { url: base, token: TOKEN, env: 'miniapp', transport, deliveryTimeout: 400, ...TIMINGS };
  page = renderPage();
  page.attach(document.createElement('parent-wrapper'));
  peer = new SocketClient({ transport, target: peerUrl, ...TIMINGS });
  peerSeen = [];
  peer.subscribe('chat', (data) => peerSeen.push(data));
  peer.connect();
  await waitFor(() => page.instance.data.socketState === 'open' && peer.state === 'open', 3000, 'both sides open');
}

afterEach(async () => {
  if (chatLink) chatLink.dispose();
  chatLink = undefined;
  page.detach();
  peer.destroy();
  manager.closeAllSockets();
  await relay?.close();
  await server?.close();
  relay = server = undefined;
  await wsWx.settled();
  expect(wsWx.invalidCloses).toBe(0);
});

/** Types a text, taps send and hands the `send` event to the link, as the page's bindsend does. */
async function typeAndSend(comp: ReturnType<typeof mount>['comp'], events: ReturnType<typeof mount>['events'], text: string) {
  await fire(comp, '.hk-chat__input', 'input', { value: text });
  await fire(comp, '.hk-chat__send', 'tap');
  const sent = events.filter((e) => e.name === 'send').pop()!.detail.message;
  chatLink!.send(sent);
  return sent;
}

const statusOf = (panel: ChatPanel, id: string) => panel.getMessage(id)!.status;

describe('through our relay', () => {
  beforeEach(async () => {
    relay = await startProxiedRelay();
    await openSides(relay.base, relay.url(TOKEN, 'h5'));
  });

  test('send → a reliable message with the panel id reaches the peer; its ack marks it sent; a reply is appended', async () => {
    const { comp, panel, events } = mount();
    chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never), { name: 'miniapp' });
    const sent = await typeAndSend(comp, events, ' 你好 ');
    expect(statusOf(panel, sent.id)).toBe('sending');
    await waitFor(() => statusOf(panel, sent.id) === 'sent', 3000, 'the ack');
    expect(peerSeen).toEqual([{ text: '你好', time: sent.time, name: 'miniapp' }]);

    peer.emit('chat', { text: '收到', name: 'h5' }, { reliable: true });
    await waitFor(() => panel.getMessages().length === 2, 3000, 'the reply');
    expect(panel.getMessages()[1]).toMatchObject({ role: 'h5', content: '收到', name: 'h5' });
  });

  test('a send refused at once is failed at once with its error; a detached socket-manager is OFFLINE; malformed messages go to onError', async () => {
    const { panel } = mount();
    const errors: string[] = [];
    chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never), { onError: (err) => errors.push(err.code) });
    panel.appendMessage({ id: 'huge', role: 'me', content: 'x'.repeat(300 * 1024), status: 'sending' });
    const huge = chatLink.send(panel.getMessage('huge')!);
    expect(huge).toMatchObject({ status: 'refused', error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) });
    expect(statusOf(panel, 'huge')).toBe('failed');

    peer.emit('chat', { type: 'image', content: 42 }, { reliable: true, to: 'miniapp' });
    await waitFor(() => errors.length === 1, 3000, 'the refused incoming message');
    expect(errors).toEqual(['BAD_REQUEST']);
    expect(panel.getMessages().length).toBe(1);

    const host = page.instance;
    page.detach();
    panel.appendMessage({ id: 'after', role: 'me', content: 'x', status: 'sending' });
    const offline = linkChatPanel(panel as never, { emit: host.socketEmit.bind(host), subscribe: () => () => undefined, on: () => () => undefined });
    expect(offline.send(panel.getMessage('after')!)).toMatchObject({ status: 'refused', error: expect.objectContaining({ code: 'OFFLINE' }) });
    expect(statusOf(panel, 'after')).toBe('failed');
    page.attach(document.createElement('parent-wrapper')); // afterEach detaches it again
  });

  describe('streamed replies into one message', () => {
    /** The peer answers `assistant.reply` with an async generator of text pieces; records how it ended. */
    let ended: Array<{ pieces: number; cancelled: boolean }>;
    beforeEach(() => {
      ended = [];
      peer.onRequest((api, params) => {
        const p = params as { n: number; every?: number };
        return (async function* () {
          let pieces = 0;
          let finished = false;
          try {
            for (let i = 0; i < p.n; i++) {
              if (p.every) await new Promise((r) => setTimeout(r, p.every));
              pieces++;
              yield i % 2 ? { text: `片段${i} ` } : `piece${i} `;
            }
            finished = true;
          } finally {
            ended.push({ pieces, cancelled: !finished });
          }
        })();
      });
    });

    test('link.stream: the pieces grow one message by appendDelta, it ends sent, the text is every piece in order', async () => {
      const { panel } = mount();
      chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never), { to: 'h5' });
      const { messageId, stream } = chatLink.stream('assistant.reply', { n: 200 });
      expect(panel.getMessage(messageId)).toMatchObject({ status: 'streaming', role: 'server', content: '' });
      await expect(stream.done).resolves.toBe(200);
      await waitFor(() => statusOf(panel, messageId) === 'sent', 3000, 'the end');
      const expected = Array.from({ length: 200 }, (_, i) => (i % 2 ? `片段${i} ` : `piece${i} `)).join('');
      expect(panel.getMessage(messageId)!.content).toBe(expected);
      expect(panel.getMessages()).toHaveLength(1);
    });

    test("the panel's stop button cancels the request: the peer's handler stops, the message keeps what arrived", async () => {
      const { comp, panel, events } = mount();
      chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never), { to: 'h5' });
      const { messageId, stream } = chatLink.stream('assistant.reply', { n: 100000, every: 2 }, { type: 'markdown' });
      await waitFor(() => String(panel.getMessage(messageId)!.content).length > 20, 3000, 'some pieces');
      panel.flush();
      await fire(comp, '.hk-chat__stop', 'tap');
      const stop = events.find((e) => e.name === 'stop')!;
      expect(stop.detail.id).toBe(messageId);
      expect(chatLink.stop(stop.detail.id)).toBe(true); // what the page's bindstop does
      await expect(stream.done).rejects.toMatchObject({ code: 'CANCELLED' });
      await waitFor(() => ended.length === 1, 3000, 'the handler to stop');
      expect(ended[0].cancelled).toBe(true);
      const kept = panel.getMessage(messageId)!;
      expect(kept.status).toBe('sent');
      await new Promise((r) => setTimeout(r, 50));
      expect(panel.getMessage(messageId)!.content).toBe(kept.content); // nothing after the stop
    });
  });
});

describe('faults our relay never produces (the misbehaving stand-in)', () => {
  let fake: MisbehavingRelay;
  beforeEach(async () => {
    server = fake = await MisbehavingRelay.start();
    await openSides(`ws://127.0.0.1:${fake.port}/socket`, fake.url(TOKEN, 'h5'));
  });

  test('a relay that withholds acks → failed after the ttl; the retry tap resends the same id → sent; the peer shows it once', async () => {
    const { comp, panel, events } = mount();
    chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never), { to: 'h5' });
    fake.ackMessages = false;
    peer.close(); // an offline peer cannot ack either; the relay keeps every copy in its backlog
    await waitFor(() => peer.state === 'closed', 3000, 'the peer to leave');
    const sent = await typeAndSend(comp, events, 'order #12');
    await waitFor(() => statusOf(panel, sent.id) === 'failed', 3000, 'the failure');
    const copiesBeforeRetry = fake.receivedIds.get(sent.id)!;
    expect(copiesBeforeRetry).toBeGreaterThanOrEqual(2); // resent every ackTimeout until the ttl

    fake.ackMessages = true;
    panel.flush();
    await fire(comp, '.hk-chat__status--failed', 'tap');
    const retry = events.filter((e) => e.name === 'retry').pop()!.detail;
    expect(retry.id).toBe(sent.id);
    expect(statusOf(panel, sent.id)).toBe('sending');
    chatLink.send(retry.message); // what the page's bindretry handler does
    await waitFor(() => statusOf(panel, sent.id) === 'sent', 3000, 'the ack after retry');
    expect(fake.receivedIds.get(sent.id)).toBe(copiesBeforeRetry + 1);

    peer.connect();
    await waitFor(() => peerSeen.length === 1 && peer.stats().duplicates >= copiesBeforeRetry, 3000, 'every copy at the peer');
    expect(peerSeen).toEqual([{ text: 'order #12', time: sent.time }]);
  });

  test('incoming messages are appended once even when resent, in order, across a forced reconnect', async () => {
    const { panel } = mount();
    chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never));
    const client = page.instance.socketClient() as SocketModule.SocketClient;
    // The page withholds nothing, but its acks are lost on the way: the peer resends each message.
    const lostAcks = new Set<string>();
    const realSend = client.send.bind(client);
    client.send = ((frame: Record<string, any>, options?: { ttl?: number }) => {
      if (frame.type === 'ack' && lostAcks.size < 3 && !lostAcks.has(frame.id)) {
        lostAcks.add(frame.id);
        return { status: 'sent' };
      }
      return realSend(frame as never, options);
    }) as typeof client.send;
    fake.ackMessages = false; // only the page's ack settles the peer's messages
    const a = peer.emit('chat', { text: 'one' }, { reliable: true, to: 'miniapp' });
    const b = peer.emit('chat', { text: 'two' }, { reliable: true, to: 'miniapp' });
    await waitFor(() => lostAcks.size === 2, 3000, 'the first acks');
    fake.dropAll();
    const c = peer.emit('chat', { text: 'three' }, { reliable: true, to: 'miniapp' });
    await Promise.all([a.delivered, b.delivered, c.delivered]);
    expect(fake.receivedIds.get(a.id!)).toBeGreaterThanOrEqual(2);
    expect(client.stats().duplicates + client.stats().replays).toBeGreaterThanOrEqual(2);
    expect(panel.getMessages().map((m) => [m.id, m.content])).toEqual([
      [a.id, 'one'],
      [b.id, 'two'],
      [c.id, 'three'],
    ]);
  });

  test('dispose() stops status updates and appends', async () => {
    const { panel } = mount();
    chatLink = linkChatPanel(panel as never, managerSocket(page.instance as never));
    panel.appendMessage({ id: 'mine', role: 'me', content: 'bye', status: 'sending' });
    fake.ackMessages = false;
    peer.close();
    await waitFor(() => peer.state === 'closed', 3000, 'the peer to leave');
    chatLink.send(panel.getMessage('mine')!);
    chatLink.dispose();
    const received = page.instance.socketClient().stats().received;
    fake.pushRaw(TOKEN, 'miniapp', JSON.stringify({ type: 'message', event: 'chat', id: 'in-9', data: { text: 'late' } }));
    await waitFor(() => page.instance.socketClient().stats().received === received + 1, 3000, 'the frame at the page');
    fake.pushRaw(TOKEN, 'miniapp', JSON.stringify({ type: 'ack', id: 'mine' }));
    await waitFor(() => page.instance.socketClient().stats().unacked === 0, 3000, 'the ack at the client');
    expect(panel.getMessages().map((m) => m.id)).toEqual(['mine']);
    expect(statusOf(panel, 'mine')).toBe('sending');
  });
});
