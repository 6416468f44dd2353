/**
 * Batch messages: several frames in one WebSocket message, so a client that writes many frames
 * in one turn pays one send (on WeChat each SocketTask.send is a bridge call) and the relay one
 * message. The format is the frames' JSON texts, each preceded by the record separator U+001E
 * (like RFC 7464 JSON text sequences, without the line feeds). A JSON text never holds a raw
 * U+001E (JSON.stringify escapes control characters) and never starts with one, so a batch is
 * never mistaken for a frame. A client sends batches only to a relay whose `hello` offered them
 * (`batch: { frames, bytes }`): old relays and plain servers never see one.
 */
import { HybridError } from './errors';

/** The record separator that starts each frame of a batch. */
export const BATCH_SEPARATOR = '\u001e';
/** Its byte (UTF-8: one byte), for checking a Buffer without decoding it. */
export const BATCH_BYTE = 0x1e;
/** Frames per batch message the relay accepts (said in its hello). */
export const BATCH_MAX_FRAMES = 128;

export interface BatchLimits {
  /** The most frames one batch message may hold. */
  frames: number;
  /** The most UTF-8 bytes one batch message may hold, separators included. */
  bytes: number;
}

export function isBatch(text: string): boolean {
  return text.charCodeAt(0) === BATCH_BYTE;
}

/**
 * The frame texts of a batch message, in order. Throws BAD_REQUEST when it is not a batch or
 * holds more than `maxFrames` frames (checked before the whole text is split).
 */
export function splitBatch(text: string, maxFrames: number): string[] {
  if (!isBatch(text)) throw new HybridError('BAD_REQUEST', 'a batch starts with U+001E');
  const parts = text.split(BATCH_SEPARATOR, maxFrames + 2);
  if (parts.length > maxFrames + 1) throw new HybridError('BAD_REQUEST', `a batch holds at most ${maxFrames} frames`);
  parts.shift();
  return parts;
}

/**
 * Joins frame texts into as few messages as the limits allow, in order. A text that cannot share
 * a message (too large) is sent as it is, alone; so is the only text of a group. Sizes are
 * bounded by 3 bytes per UTF-16 unit, never counted exactly: a batch is never larger than allowed.
 */
export function joinBatches(texts: readonly string[], limits: BatchLimits): string[] {
  const messages: string[] = [];
  let group = '';
  let count = 0;
  let bound = 0;
  const close = (): void => {
    if (count === 1) messages.push(group.slice(1));
    else if (count > 1) messages.push(group);
    group = '';
    count = 0;
    bound = 0;
  };
  for (const text of texts) {
    const size = text.length * 3 + 1;
    if (count > 0 && (count >= limits.frames || bound + size > limits.bytes)) close();
    group += BATCH_SEPARATOR + text;
    count++;
    bound += size;
  }
  close();
  return messages;
}

/** The batch limits a hello offers, or undefined when it offers none (or nonsense). */
export function batchLimitsOf(offer: unknown): BatchLimits | undefined {
  if (!offer || typeof offer !== 'object') return undefined;
  const { frames, bytes } = offer as Partial<BatchLimits>;
  if (!Number.isInteger(frames) || !Number.isInteger(bytes) || (frames as number) < 2 || (bytes as number) < 2) return undefined;
  return { frames: frames as number, bytes: bytes as number };
}
