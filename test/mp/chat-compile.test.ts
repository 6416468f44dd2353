/**
 * The built chat-panel templates and styles go through WeChat's own compilers (wcc / wcsc from
 * miniprogram-compiler). simulate's stand-in base components drop native attributes, so the
 * attributes that only the real runtime reads (aria-*, adjust-position) are checked in wcc's output.
 */
import * as path from 'path';
import { MP_ROOT } from '../helpers/mp-dist';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiler = require('miniprogram-compiler') as { wxmlToJs(root: string): string; wxssToJs(root: string): string };
const ROOT = path.join(MP_ROOT, 'components/chat-panel');

describe('chat-panel compiles with the official wcc and wcsc', () => {
  const wxml = compiler.wxmlToJs(ROOT);
  const wxss = compiler.wxssToJs(ROOT);

  test('wcc compiles both templates (panel and the default custom-message renderer)', () => {
    expect(wxml).toContain("'hk-chat__send send-class'");
    expect(wxml).toContain("'onRetryTap'");
    expect(wxml).toContain("'hk-chat-custom custom-class'");
  });

  test('the template carries aria labels and turns adjust-position off', () => {
    // wcc writes attribute names in camelCase
    expect((wxml.match(/'ariaLabel'/g) || []).length).toBeGreaterThanOrEqual(8);
    expect((wxml.match(/'ariaRole'/g) || []).length).toBeGreaterThanOrEqual(3);
    expect(wxml).toContain("'adjustPosition'");
    expect(wxml).toContain("'showConfirmBar'");
  });

  test('wcsc compiles the styles, CSS variables with fallbacks, dark mode and the safe area kept', () => {
    expect(wxss).toContain('var(--chat-bubble-self-bg, #95ec69)');
    expect(wxss).toContain('prefers-color-scheme: dark');
    expect(wxss).toContain('env(safe-area-inset-bottom)');
    expect(wxss).toContain('var(--chat-bubble-other-bg-dark, #2c2c2e)');
  });
});
