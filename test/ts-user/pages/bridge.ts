// docs/bridge.md: the web-view page, its events and a typed registry.
import { HandlerRegistry, selectComponentAs } from 'miniprogram-hybrid-kit';
import type { BridgeWebviewEvent, BridgeWebviewInstance } from 'miniprogram-hybrid-kit';
import type { Apis } from './apis';

const registry = new HandlerRegistry<Apis>();
registry.register('getUser', ({ id }) => ({ id, name: 'user ' + id.toUpperCase() }));
registry.register('scan', async () => ({ code: 'x' }));

Page({
  data: { src: 'https://example.com/h5/' },
  onReady() {
    const bridge = selectComponentAs<BridgeWebviewInstance>(this, '#bridge');
    bridge.useRegistry(registry);
    const pushId: string = bridge.push('cart', { n: 1 });
    console.log(pushId, bridge.getUrl());
  },
  onMessage(e: BridgeWebviewEvent<'message'>) {
    console.log(e.detail.data, e.detail.index, e.detail.total);
  },
  onReplyError(e: BridgeWebviewEvent<'replyerror'>) {
    console.log(e.detail.req, e.detail.code, e.detail.message);
  },
  onCommand(e: BridgeWebviewEvent<'command'>) {
    if (!e.detail.reply.ok) console.log(e.detail.api, e.detail.reply.error.code);
  },
});
