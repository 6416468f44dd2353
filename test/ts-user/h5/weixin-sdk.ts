// The H5 page with the npm weixin-js-sdk, imported as its README says: its `wx.miniProgram` is what
// createBridge takes (the npm build does not set window.wx, so the default lookup finds nothing).
import wx from 'weixin-js-sdk';
import { createBridge } from 'miniprogram-hybrid-kit/h5';
import type { Apis } from '../pages/apis';

const bridge = createBridge<Apis>({ miniProgram: wx.miniProgram });
bridge.env().then((where) => console.log(where));
bridge.call('scan').then(({ code }) => console.log(code));
