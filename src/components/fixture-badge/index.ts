// Internal fixture for the pipeline checks (wcc, 构建npm); removed when the first real component lands.
Component({
  externalClasses: ['custom-class'],
  properties: {
    label: { type: String, value: 'count' },
  },
  data: { count: 0 },
  methods: {
    increment(): number {
      const count = this.data.count + 1;
      this.setData({ count });
      this.triggerEvent('change', { count });
      return count;
    },
  },
});
