// The demo's start page: what runs where, and the three demo pages.
Component({
  data: { relayUrl: '', h5Url: '', token: '' },
  methods: {
    onLoad() {
      const { relayUrl, h5Url, token } = getApp().globalData;
      this.setData({ relayUrl, h5Url, token });
    },
  },
});
