/**
 * The BUILT mini program package (miniprogram_dist, what DevTools consumes) in tests: its root,
 * its modules (the same instances the built components use) and its components in
 * miniprogram-simulate, and the type of a rendered component.
 */
import * as path from 'path';
import type { ComponentId, RootComponent } from 'miniprogram-simulate';
import { installMiniProgramGlobals } from './mp-globals';
import { PKG_NAME } from '../../tools/check-pack';

export { PKG_NAME };

export const MP_ROOT = path.resolve(__dirname, '../../miniprogram_dist');

/**
 * What simulate.render returns, with the j-component methods its published typings leave out.
 * `instance` is loose: tests call the component's own methods on it.
 */
export type Rendered = Omit<RootComponent<any, any, any>, 'instance'> & {
  readonly instance: Record<string, any>;
  addEventListener(event: string, listener: (e: any) => void): void;
  triggerPageLifeTime(name: 'show' | 'hide' | 'resize', arg?: unknown): void;
};

const loaded: Record<string, string> = {};

/**
 * Loads a built component (path relative to `root`, default MP_ROOT) into simulate once per test
 * file and returns its id: loading the same path twice renders nothing.
 */
export function loadComponent(relPath: string, tagName: string, root = MP_ROOT): string {
  const key = path.join(root, relPath);
  if (!loaded[key]) loaded[key] = installMiniProgramGlobals().load(key, tagName, { rootPath: root });
  return loaded[key];
}

/** Renders a loaded component (not attached yet). */
export function render(id: string | ComponentId<any, any, any>, props?: Record<string, unknown>): Rendered {
  return installMiniProgramGlobals().render(id as ComponentId<any, any, any>, props) as unknown as Rendered;
}

/** A built module of the package, e.g. mpModule('core/socket'). */
export function mpModule<T = any>(rel: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(MP_ROOT, rel));
}

/** Modules of the package that its pages require by their package path. */
const PAGE_REQUIRES = ['behaviors/hybrid-call'];

/** Makes `require('miniprogram-hybrid-kit/<module>')` of a page load `<pkgRoot>/<module>`, as WeChat resolves it. */
export function resolvePackageIn(pkgRoot: string): void {
  for (const rel of PAGE_REQUIRES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.doMock(`${PKG_NAME}/${rel}`, () => require(path.join(pkgRoot, rel)), { virtual: true });
  }
}
