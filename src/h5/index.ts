/**
 * miniprogram-hybrid-kit/h5: the H5 side of the bridge. ESM, CommonJS and a single-file
 * <script> build (global `HybridKit`).
 */
export { createBridge, DEFAULT_RELAY_PAGE } from './bridge';
export type { Bridge, BridgeOptions } from './bridge';
export { detectEnv } from './env';
export { HybridError, isHybridError } from '../core/errors';
export type { ErrorCode } from '../core/errors';
export type { CallOptions, CallTransport, Env, MiniProgramApi, RecoveredReply, ApiMap, AnyApis } from './types';
export { createSocketTransport } from './socket-transport';
export type { SocketTransport, SocketTransportOptions } from './socket-transport';
