/** A page with the BUILT socket-manager behavior, configured in code (what the demo chat page does). */
import * as path from 'path';
import { MP_ROOT, simulate } from '../helpers/mp';
import type * as ManagerModule from '../../src/behaviors/socket-manager';

export const manager = require(path.join(MP_ROOT, 'behaviors/socket-manager')) as typeof ManagerModule;

export interface ManagerHost {
  instance: Record<string, (...args: any[]) => any> & { data: { socketState: string } };
  attach(parent: Element): void;
  detach(): void;
}

/** Loads the page definition once per test file; `socketConfig()` returns what `config()` gives at that moment. */
export function loadManagerPage(config: () => Record<string, unknown>): () => ManagerHost {
  const pageId = simulate.load({
    template: '<view>{{socketState}}</view>',
    behaviors: [manager.socketManager],
    methods: {
      socketConfig() {
        return config();
      },
    },
  });
  return () => simulate.render(pageId) as unknown as ManagerHost;
}
