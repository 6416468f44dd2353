// A call page of one's own (docs/bridge.md), answering from a typed registry.
import { HandlerRegistry } from 'miniprogram-hybrid-kit';
import { callBehavior, hybridCall } from 'miniprogram-hybrid-kit/behaviors/hybrid-call';
import type { HybridCallHost } from 'miniprogram-hybrid-kit/behaviors/hybrid-call';
import type { Apis } from './apis';

const registry = new HandlerRegistry<Apis>();
registry.register('scan', () => ({ code: 'from the call page' }));

Component({ behaviors: [callBehavior(registry)] });
Component({
  behaviors: [hybridCall],
  methods: {
    onLoad(options: Record<string, string | undefined>) {
      (this as unknown as HybridCallHost).startCall(options);
    },
  },
});
