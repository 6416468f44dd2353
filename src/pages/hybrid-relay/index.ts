/**
 * The relay page shipped with the library. Add one line to app.json "pages":
 *   "miniprogram_npm/miniprogram-hybrid-kit/pages/hybrid-relay/index"
 * or copy the built index.{js,json,wxml,wxss} into a folder of your own pages/ (for example
 * pages/hybrid-page/, the path pages of the original helper navigate to): the behavior is required
 * by its package path, which resolves from the package and from your pages alike.
 */
// A package path, not '../../behaviors/…': that one only resolves inside miniprogram_npm.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hybridRelay } = require('miniprogram-hybrid-kit/behaviors/hybrid-relay') as typeof import('../../behaviors/hybrid-relay');

Component({
  behaviors: [hybridRelay],
  externalClasses: ['custom-class'],
});
