/**
 * A jsdom window as the Node global (what jest's jsdom environment gives the tests), for loading
 * mini program components into miniprogram-simulate outside jest's jsdom environment: the
 * `node`-project tests (test/helpers/mp-globals.ts) and the benchmark's mini program host.
 */
const GLOBALS = ['window', 'document', 'navigator', 'HTMLElement', 'Node', 'Element', 'Event', 'CustomEvent', 'getComputedStyle', 'MutationObserver'];

let dom = null;

/** Installs the window once; does nothing when a DOM is already there (jest's jsdom environment). */
function installJsdomWindow() {
  if (dom || typeof global.document !== 'undefined') return;
  const { JSDOM } = require('jsdom');
  dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://127.0.0.1/' });
  for (const key of GLOBALS) {
    Object.defineProperty(global, key, { value: key === 'window' ? dom.window : dom.window[key], configurable: true, writable: true });
  }
}

/** Closes the window made by installJsdomWindow (its timers keep the process alive otherwise). */
function closeJsdomWindow() {
  if (dom) dom.window.close();
}

module.exports = { installJsdomWindow, closeJsdomWindow };
