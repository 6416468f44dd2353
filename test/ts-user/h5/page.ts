// The H5 page (docs/bridge.md), typed by the same API map.
import { createBridge, createSocketCallTransport, isHybridError } from 'miniprogram-hybrid-kit/h5';
import type { Apis } from '../pages/apis';

const socket = createSocketCallTransport({ url: 'wss://relay.example.com/socket', token: 't', env: 'h5', peer: 'miniapp' });
const bridge = createBridge<Apis>({ callPage: '/pages/call/index', socket });

async function main(): Promise<void> {
  try {
    const user = await bridge.call('getUser', { id: '42' });
    document.title = user.name;
    const { code } = await bridge.call('scan');
    console.log(code);
  } catch (err) {
    if (isHybridError(err)) console.log(err.code);
  }
  bridge.on('cart', (data) => console.log(data));
}
main();
