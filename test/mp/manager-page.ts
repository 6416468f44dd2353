/** A page with the BUILT socket-manager behavior, configured in code (what the demo chat page does). */
import { mpModule, render, Rendered } from '../helpers/mp-dist';
import { installMiniProgramGlobals } from '../helpers/mp-globals';
import type * as ManagerModule from '../../src/behaviors/socket-manager';

export const manager = mpModule<typeof ManagerModule>('behaviors/socket-manager');

/** Loads the page definition once per test file; `socketConfig()` returns what `config()` gives at that moment. */
export function loadManagerPage(config: () => Record<string, unknown>): () => Rendered {
  const pageId = installMiniProgramGlobals().load({
    template: '<view>{{socketState}}</view>',
    behaviors: [manager.socketManager],
    methods: {
      socketConfig() {
        return config();
      },
    },
  });
  return () => render(pageId);
}
