// app.ts of docs/bridge.md: handlers on the default registry, typed by the API map.
import { register, typedRegistry, HybridError } from 'miniprogram-hybrid-kit';
import { serveSocketRequests, pushOverSocket } from 'miniprogram-hybrid-kit/services/socket-requests';
import { SocketClient } from 'miniprogram-hybrid-kit/core/socket';
import { wxSocketTransport } from 'miniprogram-hybrid-kit/adapters/wx-socket';
import type { Apis } from './apis';

const apis = typedRegistry<Apis>();
apis.register('getUser', async ({ id }, context) => {
  if (context.cancelled) throw new HybridError('CANCELLED', 'gone');
  return { id, name: id.trim() };
});
register('ping', () => 'pong');
register<Apis, 'scan'>('scan', () => ({ code: 'c' }));

const client = new SocketClient({ transport: wxSocketTransport(), target: 'wss://relay.example.com/socket?token=t&env=miniapp' });
serveSocketRequests(client, apis);
const pushed = pushOverSocket(client, 'cart', { n: 2 });
pushed.delivered.catch((err: HybridError) => console.log(err.code));
client.connect();
