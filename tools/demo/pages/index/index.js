// The demo index page: one library component, consumed through miniprogram_npm like any user would.
Page({
  data: { lastCount: 0 },
  onTap() {
    const badge = this.selectComponent('#badge');
    if (badge) badge.increment();
  },
  onBadgeChange(e) {
    this.setData({ lastCount: e.detail.count });
  },
});
