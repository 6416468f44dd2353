/**
 * App visibility and network status from wx.onAppShow / wx.onAppHide / wx.onNetworkStatusChange.
 * The returned function removes the listeners with the off* counterparts when the base library has
 * them; where it does not, the listeners stay registered but become no-ops.
 */
export interface AppConditionHandlers {
  hide(): void;
  show(): void;
  network(online: boolean): void;
}

type Listener<T> = (res: T) => void;

export interface WxAppEventsApi {
  onAppShow(fn: Listener<unknown>): void;
  onAppHide(fn: Listener<unknown>): void;
  onNetworkStatusChange(fn: Listener<{ isConnected: boolean }>): void;
  offAppShow?(fn: Listener<unknown>): void;
  offAppHide?(fn: Listener<unknown>): void;
  offNetworkStatusChange?(fn: Listener<{ isConnected: boolean }>): void;
}

export function watchAppConditions(handlers: AppConditionHandlers, api?: WxAppEventsApi): () => void {
  const wxApi = api || (wx as unknown as WxAppEventsApi);
  let active = true;
  const onShow = () => active && handlers.show();
  const onHide = () => active && handlers.hide();
  const onNetwork = (res: { isConnected: boolean }) => active && handlers.network(!!(res && res.isConnected));
  wxApi.onAppShow(onShow);
  wxApi.onAppHide(onHide);
  wxApi.onNetworkStatusChange(onNetwork);
  return () => {
    active = false;
    if (wxApi.offAppShow) wxApi.offAppShow(onShow);
    if (wxApi.offAppHide) wxApi.offAppHide(onHide);
    if (wxApi.offNetworkStatusChange) wxApi.offNetworkStatusChange(onNetwork);
  };
}
