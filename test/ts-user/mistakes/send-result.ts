import { SocketClient } from 'miniprogram-hybrid-kit/core/socket';

export function codeOf(client: SocketClient): string {
  const result = client.emit('cart', {});
  return result.error.code; // ✗
}
