/**
 * Where the page runs. `wx.miniProgram.getEnv` never calls back outside WeChat, so it is raced
 * against a timeout; `__wxjs_environment` and the user agent answer first when they can.
 */
import { Env, MiniProgramApi } from './types';

export function findMiniProgram(win: Window): MiniProgramApi | undefined {
  const wx = (win as unknown as { wx?: { miniProgram?: MiniProgramApi } }).wx;
  return wx && wx.miniProgram;
}

/** `schedule` lets the bridge cancel the timeout when it is destroyed. */
export function detectEnv(win: Window, miniProgram: MiniProgramApi | undefined, timeout: number, schedule: (fn: () => void, ms: number) => unknown = setTimeout): Promise<Env> {
  const ua = (win.navigator && win.navigator.userAgent) || '';
  const outside: Env = /micromessenger/i.test(ua) ? 'wechat' : 'browser';
  if ((win as unknown as { __wxjs_environment?: string }).__wxjs_environment === 'miniprogram' || /miniProgram/.test(ua)) {
    return Promise.resolve('miniprogram');
  }
  return new Promise<Env>((resolve) => {
    // The first answer wins: getEnv's callback, a throw, or the timeout.
    schedule(() => resolve(outside), timeout);
    try {
      miniProgram!.getEnv!((res) => resolve(res && res.miniprogram ? 'miniprogram' : outside));
    } catch {
      resolve(outside); // no JS-SDK, or no getEnv
    }
  });
}
