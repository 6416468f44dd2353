import { socketManager } from 'miniprogram-hybrid-kit/behaviors/socket-manager';
import type { SocketManagerHost } from 'miniprogram-hybrid-kit/behaviors/socket-manager';

Page({
  behaviors: [socketManager],
  onLoad(this: SocketManagerHost) {
    this.socketEmitt('cart', {}); // ✗
  },
});
