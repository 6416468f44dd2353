/**
 * miniprogram-hybrid-kit/h5: the H5 side of the bridge. ESM, CommonJS and a single-file
 * <script> build (global `HybridKit`).
 */
export { createBridge, DEFAULT_CALL_PAGE } from './bridge';
export type { Bridge, BridgeOptions } from './bridge';
export { detectEnv } from './env';
export { HybridError, isHybridError } from '../core/errors';
export type { ErrorCode } from '../core/errors';
export type { CallOptions, CallTransport, CallTransportNames, Env, MiniProgramApi, RecoveredReply, ApiMap, AnyApis, ResponseStream, StreamOptions } from './types';
export { createSocketCallTransport } from './socket-transport';
export type { SocketCallTransport, SocketCallTransportOptions } from './socket-transport';
/** @deprecated renamed to `createSocketCallTransport`. */
export { createSocketCallTransport as createSocketTransport } from './socket-transport';
/** @deprecated renamed to `SocketCallTransport` (core's `SocketTransport` opens a socket). */
export type { SocketCallTransport as SocketTransport, SocketCallTransportOptions as SocketTransportOptions } from './socket-transport';
