/**
 * Server-only packages are optional peer dependencies of this package (ws, jose, prom-client,
 * sirv, redis): a mini program project that installs the kit gets none of them, and 构建npm
 * (miniprogram-ci packNpm follows `dependencies` only) never bundles them into miniprogram_npm.
 * The server loads each one when the feature that needs it is used, with an error that says
 * what to install.
 */
import { HybridError } from '../core/errors';

/**
 * Peer name → the version range package.json declares (kept in step by test/server/peer.test.ts).
 * jose stays on 5.x: 6.x ships ES modules only, which the CommonJS server build cannot require on
 * Node 18 (nor on Node 20 before 20.19).
 */
export const SERVER_PEERS = {
  ws: '^8.0.0',
  jose: '^5.9.0',
  'prom-client': '^15.0.0',
  sirv: '^2.0.0 || ^3.0.0',
  redis: '^4.6.0 || ^5.0.0 || ^6.0.0',
} as const;

export type ServerPeer = keyof typeof SERVER_PEERS;

/** The error for a missing peer: which feature needs it and the install command. */
export function missingPeerError(name: ServerPeer, feature: string): HybridError {
  return new MissingPeerError(
    `${feature} needs the "${name}" package, which is not installed: npm install ${name}@"${SERVER_PEERS[name]}"`,
  );
}

class MissingPeerError extends HybridError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    Object.setPrototypeOf(this, MissingPeerError.prototype); // HybridError resets it to its own
  }
}

/** True for the error requirePeer throws when the package is not installed. */
export function isMissingPeer(err: unknown): boolean {
  return err instanceof MissingPeerError;
}

function isMissing(err: unknown, name: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}

/** `require(name)`, or the missing-peer error (other load errors pass through unchanged). */
export function requirePeer<T>(name: ServerPeer, feature: string, load: (id: string) => unknown = require): T {
  try {
    return load(name) as T;
  } catch (err) {
    if (isMissing(err, name)) throw missingPeerError(name, feature);
    throw err;
  }
}
