/**
 * The navigate-only single-file <script> build (dist/h5/hybrid-kit.lite.min.js): the bridge over
 * the navigate/hash channel without the socket transport, for pages that have no relay server.
 * The full build (hybrid-kit.min.js) adds `createSocketCallTransport`. Assigning the global here,
 * rather than through esbuild's `globalName`, leaves out the module-interop helpers (~400 bytes).
 */
import { createBridge } from './bridge';
import { detectEnv } from './env';
import { HybridError } from '../core/errors';

// Only what a page needs: `err instanceof HybridKit.HybridError` stands in for isHybridError, and the
// call page path is a createBridge option. Every byte counts against the 4 KB budget.
(window as unknown as { HybridKit: object }).HybridKit = { createBridge, detectEnv, HybridError };
