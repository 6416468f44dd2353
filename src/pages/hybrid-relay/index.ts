/**
 * The relay page shipped with the library. Add one line to app.json "pages":
 *   "miniprogram_npm/miniprogram-hybrid-kit/pages/hybrid-relay/index"
 * (or copy this file and the .json/.wxml/.wxss next to it into your own pages/).
 */
import { hybridRelay } from '../../behaviors/hybrid-relay';

Component({
  behaviors: [hybridRelay],
  externalClasses: ['custom-class'],
});
