const path = require('path');

const root = path.resolve(__dirname, '..');

module.exports = {
  root,
  src: path.join(root, 'src'),
  /** The mini program package (package.json "miniprogram"). */
  mpDist: path.join(root, 'miniprogram_dist'),
  /** Browser and Node builds: never inside the mini program package. */
  h5Dist: path.join(root, 'dist', 'h5'),
  nodeDist: path.join(root, 'dist', 'node'),
  /** The demo mini program project and where `npm run dev` builds it. */
  demoSrc: path.join(root, 'tools', 'demo'),
  devDist: path.join(root, 'miniprogram_dev'),
  /** Files copied as they are into the mini program package. */
  staticGlobs: ['src/components/**/*.{json,wxml,wxss,wxs,png,jpg,jpeg,gif,svg,webp}', 'src/behaviors/**/*.{json,wxs}', 'src/core/**/*.wxs', 'src/pages/**/*.{json,wxml,wxss}'],
  /** The H5 SDK entry (src/h5/index.ts) and its global name in the <script> build. */
  h5Entry: path.join(root, 'src', 'h5', 'index.ts'),
  /** The navigate-only entry of the lite <script> build (no socket transport). */
  h5LiteEntry: path.join(root, 'src', 'h5', 'lite.ts'),
  h5GlobalName: 'HybridKit',
};
