/** Socket frame types (docs/protocol.md, "Socket channel") and who may send each. */

/** 'server': only the relay sends it (a client sending it is refused); 'both': clients and relay. */
export type FrameDirection = 'server' | 'client' | 'both';

export const FRAME_DIRECTIONS = {
  hello: 'server',
  resume: 'client',
  ping: 'both',
  pong: 'both',
  message: 'both',
  ack: 'both',
  request: 'both',
  response: 'both',
  chunk: 'both',
  cancel: 'both',
  presence: 'server',
  error: 'server',
  delivered: 'server',
} as const satisfies Record<string, FrameDirection>;

export type FrameTypeName = keyof typeof FRAME_DIRECTIONS;

// Plain literals, no call at the top level, so bundlers drop what a page does not use.
export const FRAME_TYPES: readonly FrameTypeName[] = [
  'hello', 'resume', 'ping', 'pong', 'message', 'ack', 'request', 'response', 'chunk', 'cancel', 'presence', 'error', 'delivered',
];

/** Types a client may not send: the relay answers them with BAD_REQUEST. */
export const SERVER_ONLY_TYPES: readonly FrameTypeName[] = ['hello', 'presence', 'error', 'delivered'];

/** Longest `type` accepted in a frame. */
export const MAX_TYPE_LENGTH = 64;
