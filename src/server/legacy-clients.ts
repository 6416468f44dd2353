/**
 * Clients written for the relay this one replaces (token + env pairing, no protocol of its own).
 * Every client of ours puts `v` in the socket URL; a connection without it is such an old client,
 * and gets exactly what the old relay sent it:
 *  - each forwarded message as `JSON.stringify(text)` (the old relay stringified the text it had
 *    received, so its clients parse twice), where `text` is what the sender sent: an old sender's
 *    text byte for byte, a migrated sender's frame as `{ type, data }` without our fields
 *    (a `message` frame becomes `{ type: <event>, data }`);
 *  - no frame of the relay's own (hello, presence, ack, pong, error) and none of our protocol
 *    frames (request, response, ack between clients);
 *  - its token read from the raw query with `+` kept as `+` (it built the URL without encoding;
 *    our clients encode a `+` as %2B, so both read the same pairing key).
 * An old client may also send text that is not JSON; it is relayed as `{ "type": "raw", "data": text }`
 * (our clients: `subscribe('raw', …)`) and unwrapped again for old receivers.
 */
import { isPlainObject } from '../core/json';

/** The query parameter every client of this protocol sends (its value is the protocol version). */
export const PROTOCOL_PARAM = 'v';
/** The frame type that carries an old client's non-JSON text through the relay. */
export const RAW_TEXT_TYPE = 'raw';

/** Frame types of our protocol that an old client never gets. */
const NOT_FOR_OLD_CLIENTS = ['ack', 'ping', 'pong', 'hello', 'presence', 'error', 'resume', 'request', 'response'];
/** What the relay puts in front of the sender's JSON: `{"seq":N,"from":"<env>",` (see hub stampFrame, Connection.fromField). */
const STAMP = /^\{"seq":\d+,"from":"(?:[^"\\]|\\.)*",/;

export function isLegacyUrl(url: URL): boolean {
  return !url.searchParams.has(PROTOCOL_PARAM);
}

/** A query parameter as the old relay's clients meant it: percent-decoded, `+` kept. */
export function rawQueryParam(url: URL, name: string): string | null {
  for (const pair of url.search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (safeDecode(key) !== name) continue;
    return safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
  }
  return null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The text an old client receives for a stamped frame, or undefined when it gets nothing. The
 * sender's own JSON is recovered from the stamped text without re-encoding it, so an old sender's
 * text arrives byte for byte.
 */
export function legacyFrameText(stamped: string): string | undefined {
  const m = STAMP.exec(stamped);
  const sent = m ? '{' + stamped.slice(m[0].length) : stamped;
  let frame: unknown;
  try {
    frame = JSON.parse(sent);
  } catch {
    return undefined;
  }
  if (!isPlainObject(frame) || typeof frame.type !== 'string') return undefined;
  if (frame.type === RAW_TEXT_TYPE && typeof frame.data === 'string' && Object.keys(frame).length === 2) return JSON.stringify(frame.data);
  if (NOT_FOR_OLD_CLIENTS.indexOf(frame.type) >= 0) return undefined;
  if (frame.type === 'message') {
    const out: Record<string, unknown> = { type: typeof frame.event === 'string' ? frame.event : 'message' };
    if (frame.data !== undefined) out.data = frame.data;
    return JSON.stringify(JSON.stringify(out));
  }
  // A `{ type, data }` frame: as it was sent, unless one of our routing fields must come out.
  if (frame.to === undefined && frame.id === undefined) return JSON.stringify(sent);
  const { to: _to, id: _id, ...rest } = frame;
  return JSON.stringify(JSON.stringify(rest));
}

/** Text an old client sent that is not a JSON object: carried through the relay as a raw-text frame. */
export function rawTextFrame(text: string): string {
  return JSON.stringify({ type: RAW_TEXT_TYPE, data: text });
}
