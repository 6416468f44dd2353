/**
 * Batches the frames written to each socket while one read is handled into one `writev`.
 *
 * `ws` writes every frame as its own syscall (header + payload). Under load a relay forwards many
 * frames per socket per read (a client's TCP read often holds several frames), and the syscalls
 * dominated the profile. The socket is corked on its first frame and every corked socket is uncorked
 * in a microtask, i.e. as soon as the read (or timer) that wrote them is done. Not later: waiting for
 * the other reads of this loop iteration (setImmediate) saved a few writes but held every frame until
 * the whole poll phase was through, so the receiving process sat idle meanwhile (p99, and throughput
 * on a machine with few cores).
 */
import type { Socket } from 'net';
import type { WebSocket } from 'ws';

/** The TCP socket under a `ws` WebSocket (null before it opens or after it closed). */
function socketOf(ws: WebSocket): Socket | null {
  return (ws as unknown as { _socket: Socket | null })._socket;
}

export class SendBatcher {
  private corked: Socket[] = [];
  private scheduled = false;
  private readonly flushNow = () => this.flush();

  /** Call before `ws.send`: the frame goes out with the others of this turn. */
  hold(ws: WebSocket): void {
    const socket = socketOf(ws);
    if (!socket || socket.destroyed) return;
    // Our own cork is the only one that outlives a `send` (ws corks and uncorks within it).
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corked.push(socket);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushNow);
    }
  }

  /** Writes everything held (also on close, so no frame waits for a turn that never comes). */
  flush(): void {
    this.scheduled = false;
    const sockets = this.corked;
    if (!sockets.length) return;
    this.corked = [];
    for (const socket of sockets) if (socket.writableCorked > 0) socket.uncork();
  }

  /** Sockets held in this turn (tests). */
  get pending(): number {
    return this.corked.length;
  }
}
