/** Types for tools/lib/jsdom-window.js. */
export function installJsdomWindow(): void;
export function closeJsdomWindow(): void;
