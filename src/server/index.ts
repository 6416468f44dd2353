/** miniprogram-hybrid-kit/server: the relay server, its tokens and options. */
export { createRelayServer } from './relay';
export type { RelayServer } from './relay';
export { DEFAULT_OPTIONS, OPTION_SPECS, optionsFromEnv, resolveOptions } from './options';
export type { RelayOptions, TokenVerifier, VerifyContext, RelayLogger, HubContext, HubFactory } from './options';
export { createTokenCheck, signToken, verifyToken } from './tokens';
export type { SignTokenOptions, TokenCheck, TokenClaims, TokenConfig } from './tokens';
export { CLOSE_CODES } from './connection';
export { ENV_PATTERN } from './admission';
export type { MetricsSnapshot } from './metrics';
export { memoryHub, redisHub } from './hub-factory';
export type { Hub, HubRegistry, Stamped } from './hub';
export { main as runCli } from './cli';
