// The demo app. Pages use the library only through 构建npm output (miniprogram_npm/miniprogram-hybrid-kit).
const config = require('./config');
const { registerDemoHandlers } = require('./lib/handlers');
// Markdown messages are opt-in: this pulls the parser into the demo's package (the chat page streams Markdown replies).
const { enableMarkdown } = require('miniprogram-hybrid-kit/components/chat-panel/markdown/index');

enableMarkdown();

App({
  /** Read by the pages; tests and your own setup may change it before a page loads. */
  globalData: Object.assign({}, config),
  onLaunch() {
    // One set of handlers answers the H5 page on every channel: the call page (navigate) and the socket.
    this.globalData.offHandlers = registerDemoHandlers();
  },
});
