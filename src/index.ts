/** Mini program entry: the shared core. Components and behaviors are imported by path. */
export * from './core/index';
export * from './core/socket/index';
