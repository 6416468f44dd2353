// The gallery page: every library component with its default properties, consumed through
// miniprogram_npm like a user's project would. Pages for each piece come next to it.
Page({
  data: { count: 0 },
  onLoad() {
    const using = require('./gallery.js');
    this.setData({ count: using.length });
  },
});
