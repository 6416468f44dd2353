// A page built with Page({ behaviors }): Page() does not type behaviors, SocketManagerHost does.
import { socketManager } from 'miniprogram-hybrid-kit/behaviors/socket-manager';
import type { SocketManagerHost } from 'miniprogram-hybrid-kit/behaviors/socket-manager';

Page({
  behaviors: [socketManager],
  onLoad(this: SocketManagerHost) {
    this.socketStart();
    this.socketOn('ack', (e) => console.log(e.id, e.event));
  },
  onUnload(this: SocketManagerHost) {
    this.socketStop();
  },
});
