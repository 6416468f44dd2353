/** One accepted WebSocket and the little state the relay keeps for it (kept small: idle memory matters). */
import type { WebSocket } from 'ws';
import type { Bucket } from './rate-limit';


/** Close codes of docs/protocol.md (they live in src/core/protocol). */
export { CLOSE_CODES } from '../core/protocol/close-codes';

/**
 * pending: waiting for `resume` (live frames only go to the backlog);
 * replaying: backlog being sent, live frames are held; live: frames go straight out.
 */
export type ConnState = 'pending' | 'replaying' | 'live' | 'closed';

export class Connection implements Bucket {
  state: ConnState = 'pending';
  /** Answered the last protocol ping. */
  alive = true;
  tokens: number;
  refilledAt: number;
  /** Frames refused by the rate limit since the bucket was last full. */
  strikes = 0;
  /** Highest seq written to this socket. */
  sentSeq = 0;
  /** Order of this connection among all joins of its token+env (Redis mode); 0 until known. */
  joinNo = 0;
  /** Live frames that arrived during an asynchronous replay. */
  held: Array<[number, string]> | null = null;
  resumeTimer: NodeJS.Timeout | null = null;
  /** The hub has registered it and `hello` is out; replay waits for this. */
  joined = false;
  /** Acks due before `hello` went out (Redis mode): a client learns from hello what an ack means. */
  heldAcks: string[] | null = null;
  /** A replay requested before `joined` (undefined: none; null: from the last frame sent). */
  resumeAfter: number | null | undefined = undefined;
  /** A client of the relay this one replaces (no `v` in its URL): see legacy-clients.ts. */
  legacy = false;
  /** The client takes batch messages (its opening `resume` said `batch: true`): writes of a turn go as one. */
  batchOut = false;
  /** Texts held for this turn's batch message (Outlet), null when none. */
  outgoing: string[] | null = null;
  /** UTF-16 units held in `outgoing` (a batch message stays under BATCH_OUT_CHARS). */
  outgoingChars = 0;
  /** `"from":"<env>",` — spliced into every frame this connection sends. */
  readonly fromField: string;

  constructor(
    readonly ws: WebSocket,
    /** Pairing key: the token in open mode, the token subject otherwise. */
    readonly key: string,
    readonly env: string,
    /** ms; 0 = never. */
    readonly expiresAt: number,
    burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
    this.fromField = `"from":${JSON.stringify(env)},`;
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.ws.close(code, reason);
  }
}
