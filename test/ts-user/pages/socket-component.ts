// A page built with Component(): the behaviors type `this` (socket-manager methods and data).
import { socketManager } from 'miniprogram-hybrid-kit/behaviors/socket-manager';
import type { SocketManagerConfig } from 'miniprogram-hybrid-kit/behaviors/socket-manager';

Component({
  behaviors: [socketManager],
  methods: {
    socketConfig(): SocketManagerConfig {
      return { url: 'wss://relay.example.com/socket', token: () => 'token', env: 'miniapp' };
    },
    onLoad() {
      this.socketStart();
      this.socketSubscribe('cart', (data) => console.log(data));
      const result = this.socketEmit('cart', { n: 1 }, { reliable: true });
      if (result.status === 'refused') console.log(result.error.code);
      else if (result.delivered) result.delivered.then(() => console.log('acked'), (err) => console.log(err.code));
      const state: string = this.data.socketState;
      console.log(state);
    },
  },
});
