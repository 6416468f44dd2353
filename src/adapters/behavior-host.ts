/**
 * The `this` of a host that mixes in a Behavior. Component() infers it from `behaviors`; Page()
 * does not, so a page built with `Page({ behaviors: [socketManager] })` types its methods with
 * `onLoad(this: SocketManagerHost) { this.socketStart(); }`.
 */
export type BehaviorHost<B> =
  B extends WechatMiniprogram.Behavior.Identifier<infer D, infer P, infer M, infer Bs>
    ? WechatMiniprogram.Component.Instance<D, P, M, Bs> & WechatMiniprogram.Page.InstanceMethods<D>
    : never;
