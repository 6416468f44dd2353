// A call transport of the page's own (docs/bridge.md, "Your own transport"): its name joins
// CallTransportNames, so `{ transport: 'beacon' }` type-checks and a misspelt name does not.
import { createBridge, HybridError } from 'miniprogram-hybrid-kit/h5';
import type { CallTransport } from 'miniprogram-hybrid-kit/h5';
import type { Apis } from '../pages/apis';

declare module 'miniprogram-hybrid-kit/h5' {
  interface CallTransportNames {
    beacon: true;
  }
}

const beacon: CallTransport = {
  name: 'beacon',
  isOpen: () => navigator.onLine,
  call: (api, params, timeout) =>
    fetch('/api/' + api, { method: 'POST', body: JSON.stringify(params), signal: AbortSignal.timeout(timeout) }).then((res) =>
      res.ok ? res.json() : Promise.reject(new HybridError('HANDLER_ERROR', res.statusText)),
    ),
  close: () => undefined,
};

const bridge = createBridge<Apis>({ transports: [beacon] });
bridge.call('getUser', { id: '7' }, { transport: 'beacon' }).then((user) => console.log(user.name));
