/** Mini program entry: the shared core. Components and behaviors are imported by path. */
export * from './core/index';
export * from './core/socket/index';
export { selectComponentAs } from './adapters/select-component';
export type { ComponentOwner } from './adapters/select-component';
export type { BehaviorHost } from './adapters/behavior-host';
export type * from './components/chat-panel/instance';
export type * from './components/bridge-webview/instance';
