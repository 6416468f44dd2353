/**
 * Mini program transports: wx.connectSocket (sync, returns the SocketTask) and
 * wx.cloud.connectContainer (async, resolves `{ socketTask }`, base library ≥ 2.21.1).
 */
import { HybridError } from '../core/errors';
import { ConnectTarget, SocketTaskLike, SocketTransport } from '../core/socket/transport';

export interface WxSocketApi {
  connectSocket(options: Record<string, unknown>): SocketTaskLike;
}

/** Extra wx.connectSocket options passed on every attempt (tcpNoDelay, perMessageDeflate, timeout…). */
export type WxSocketExtras = Record<string, unknown>;

export function wxSocketTransport(extras: WxSocketExtras = {}, api?: WxSocketApi): SocketTransport {
  return (target: ConnectTarget) => {
    const wxApi = api || (wx as unknown as WxSocketApi);
    const options: Record<string, unknown> = { ...extras, url: target.url };
    if (target.header) options.header = target.header;
    if (target.protocols && target.protocols.length) options.protocols = target.protocols;
    const task = wxApi.connectSocket(options);
    // Base libraries older than 1.7.0 return nothing and use global wx.onSocket* listeners: unsupported.
    if (!task) throw new HybridError('OFFLINE', 'wx.connectSocket returned no SocketTask (base library < 1.7.0?)');
    return task;
  };
}

export interface CloudContainerOptions {
  /** Cloud hosting environment id (`config.env`). */
  env: string;
  /** Service name. */
  service: string;
  api?: { cloud: { connectContainer(options: Record<string, unknown>): PromiseLike<{ socketTask: SocketTaskLike }> } };
}

/** The target's `url` is the container path, e.g. `/socket?token=…&env=miniapp`. */
export function cloudContainerTransport(options: CloudContainerOptions): SocketTransport {
  return (target: ConnectTarget) => {
    const api = options.api || (wx as unknown as CloudContainerOptions['api']);
    if (!api || !api.cloud || typeof api.cloud.connectContainer !== 'function') {
      throw new HybridError('OFFLINE', 'wx.cloud.connectContainer is not available (call wx.cloud.init() first; base library ≥ 2.21.1)');
    }
    const request: Record<string, unknown> = { config: { env: options.env }, service: options.service, path: target.url };
    if (target.header) request.header = target.header;
    return api.cloud.connectContainer(request).then((res) => {
      if (!res || !res.socketTask) throw new HybridError('OFFLINE', 'wx.cloud.connectContainer resolved without a socketTask');
      return res.socketTask;
    });
  };
}
