/**
 * The call page shipped with the library. Add one line to app.json "pages":
 *   "miniprogram_npm/miniprogram-hybrid-kit/pages/hybrid-call/index"
 * or copy the built index.{js,json,wxml,wxss} into a folder of your own pages/ (for example
 * pages/hybrid-page/, the path pages of the original helper navigate to): the behavior is required
 * by its package path, which resolves from the package and from your pages alike.
 */
// A package path, not '../../behaviors/…': that one only resolves inside miniprogram_npm.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hybridCall } = require('miniprogram-hybrid-kit/behaviors/hybrid-call') as typeof import('../../behaviors/hybrid-call');

Component({
  behaviors: [hybridCall],
  externalClasses: ['custom-class'],
});
