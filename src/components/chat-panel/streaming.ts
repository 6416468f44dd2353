/**
 * Which messages are streaming (the panel shows a stop button while any is), and the checks of
 * `appendDelta`: a piece goes only to a known message that is still `streaming`.
 */
import { HybridError } from '../../core/errors';
import { PanelMessage } from './types';
import { unknownId } from './validate';

export class StreamingSet {
  private ids: Record<string, true> = Object.create(null);

  /** Records the message's current status (after an append, an update or a load). */
  note(msg: Pick<PanelMessage, 'id' | 'status'>): void {
    if (msg.status === 'streaming') this.ids[msg.id] = true;
    else delete this.ids[msg.id];
  }

  drop(id: string): void {
    delete this.ids[id];
  }

  clear(): void {
    this.ids = Object.create(null);
  }

  /** Ids of the streaming messages, oldest stream first. */
  list(): string[] {
    return Object.keys(this.ids);
  }

  get any(): boolean {
    for (const _ in this.ids) return true;
    return false;
  }
}

/** Refuses a piece for an unknown, finished or non-text message, or a piece that is not a string. */
export function checkDelta(msg: PanelMessage | undefined, id: unknown, text: unknown): void {
  if (!msg) throw unknownId(id, 'appendDelta');
  if (typeof text !== 'string') throw new HybridError('BAD_REQUEST', `chat-panel: appendDelta("${msg.id}"): text must be a string`);
  if (msg.status !== 'streaming') {
    throw new HybridError('BAD_REQUEST', `chat-panel: appendDelta("${msg.id}"): the message is not streaming (status ${msg.status || 'none'})`, {
      id: msg.id,
      status: msg.status,
    });
  }
  const type = msg.type || 'text';
  if (type !== 'text' && type !== 'markdown') throw new HybridError('BAD_REQUEST', `chat-panel: appendDelta("${msg.id}"): only text and markdown messages stream (type ${type})`);
}
