// The demo app. Pages use the library only through 构建npm output (miniprogram_npm/miniprogram-hybrid-kit).
App({
  globalData: {
    /** The relay server started by `npm start` (set the address DevTools can reach). */
    relayUrl: 'ws://127.0.0.1:8787/socket',
  },
});
