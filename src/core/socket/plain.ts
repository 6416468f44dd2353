/**
 * Plain mode of SocketClient (`protocol: 'plain'`): the client talks to any WebSocket server (a
 * chat server of your own, a third-party feed) instead of the hybrid relay. Reconnect, the queue
 * until open, pause/resume and the shared connection work as usual; nothing of docs/protocol.md is
 * sent (no resume, ping, ack) unless a heartbeat is configured here, and every inbound frame is
 * handed over as it came (`raw` event), with its JSON value when it parses.
 */
import { utf8ByteLength } from '../bytes';
import { HybridError } from '../errors';
import { parseJson, stringifyJson } from '../json';
import { Heartbeat } from './heartbeat';
import { OneShot } from './timers';

export type SocketProtocol = 'hybrid' | 'plain';

/** The `type` of the frame a `drop` event reports for a sendRaw() text: `{ type: 'raw', data: text }`. */
export const RAW_FRAME_TYPE = 'raw';

/** A keepalive for plain servers. Off unless given. */
export interface PlainHeartbeatOptions {
  /** The text sent every `interval` ms while open, e.g. 'ping'. */
  text: string;
  /** Default 20000. */
  interval?: number;
  /**
   * What the server answers, e.g. 'pong': such frames are swallowed (never reach `raw`), and no
   * inbound frame within `timeout` ms of a heartbeat means the connection is half-open (reconnect).
   * Without it the text is only a keepalive: silence is never taken for a dead connection.
   */
  reply?: string;
  /** Default 10000. */
  timeout?: number;
}

/** One inbound frame as the server sent it. */
export interface RawFrame {
  /** The text, or the bytes of a binary frame. */
  data: string | ArrayBuffer;
  /** The parsed value when `data` is text holding JSON. */
  json?: unknown;
  /** True when `json` is set (JSON `null` included). */
  isJson: boolean;
}

/** What a liveness check must do for SocketClient: Heartbeat (probe + deadline) or Keepalive (probe only). */
export interface Liveness {
  readonly running: boolean;
  start(): void;
  stop(): void;
  alive(): void;
  check(): void;
}

/** Sends the text on a timer; never declares the connection dead. */
class Keepalive implements Liveness {
  private readonly tick = new OneShot();

  constructor(private readonly interval: number, private readonly send: () => void) {}

  get running(): boolean {
    return this.tick.armed;
  }

  start(): void {
    this.tick.set(this.interval, () => {
      this.send();
      this.start();
    });
  }

  stop(): void {
    this.tick.clear();
  }

  alive(): void {
    // any frame is fine; nothing is waited for
  }

  check(): void {
    this.send();
  }
}

/** The liveness check of a plain connection, or undefined when no heartbeat is configured. */
export function plainLiveness(
  options: PlainHeartbeatOptions | undefined,
  now: () => number,
  send: (text: string) => void,
  dead: (reason: string) => void,
): Liveness | undefined {
  if (!options) return undefined;
  if (typeof options.text !== 'string' || !options.text) {
    throw new HybridError('BAD_REQUEST', 'plainHeartbeat.text must be a non-empty string');
  }
  const interval = options.interval ?? 20000;
  if (!(interval > 0)) return undefined;
  const ping = () => send(options.text);
  if (options.reply === undefined) return new Keepalive(interval, ping);
  return new Heartbeat({ interval, timeout: options.timeout ?? 10000, now }, ping, dead);
}

/** The characters a JSON text can start with (after whitespace). */
const JSON_STARTS = '{["-0123456789tfn';

/** An inbound frame as a RawFrame: text is parsed as JSON when it is JSON, never refused. */
export function readRaw(data: unknown): RawFrame | undefined {
  if (typeof data !== 'string') {
    return data && typeof data === 'object' ? { data: data as ArrayBuffer, isJson: false } : undefined;
  }
  // Cheap test first: most plain text is not JSON, and JSON.parse of it would only throw.
  const first = firstNonSpace(data);
  if (first !== '' && JSON_STARTS.indexOf(first) >= 0) {
    try {
      return { data, json: parseJson(data, 'frame'), isJson: true };
    } catch {
      // text that merely starts like JSON (or nests too deep to parse safely): handed over as text
    }
  }
  return { data, isJson: false };
}

/** The first character that is not JSON whitespace, or ''. */
function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return '';
}

/** The text to send for `value`: a string as it is, anything else as JSON. Checks the frame size. */
export function rawText(value: unknown, maxFrameBytes: number): string {
  const text = typeof value === 'string' ? value : stringifyJson(value, 'socket frame');
  const bytes = utf8ByteLength(text);
  if (bytes > maxFrameBytes) throw new HybridError('PAYLOAD_TOO_LARGE', `frame is ${bytes} bytes; the limit is ${maxFrameBytes}`);
  return text;
}
