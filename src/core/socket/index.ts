export * from './transport';
export * from './close-policy';
export * from './target';
export * from './client';
export { Heartbeat } from './heartbeat';
export type { HeartbeatOptions } from './heartbeat';
export { Outbox, DedupeWindow } from './reliable';
export { readRaw, RAW_FRAME_TYPE } from './plain';
export type { PlainHeartbeatOptions, RawFrame, SocketProtocol } from './plain';
