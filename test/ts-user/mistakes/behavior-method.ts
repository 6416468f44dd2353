import { socketManager } from 'miniprogram-hybrid-kit/behaviors/socket-manager';

Component({
  behaviors: [socketManager],
  methods: {
    onLoad() {
      this.socketStrat(); // ✗
    },
  },
});
