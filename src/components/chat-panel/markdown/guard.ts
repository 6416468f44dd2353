/**
 * Limits that keep hostile Markdown cheap: a region handed to the lexer is at most REGION_MAX
 * characters, and text nested deeper than NEST_MAX containers is never lexed (the lexer recurses
 * once per level). Whatever a limit refuses is shown as plain text.
 */

/** Characters of a message that are rendered at all (under the 256 KB setData budget even in CJK): the rest is left out behind "…". */
export const RENDER_MAX = 60000;
/** Most characters lexed in one go (a longer region is cut first). */
export const REGION_MAX = 8000;
/** Most nested containers (quotes, list items) on one line that the lexer may see. */
export const NEST_MAX = 10;

const DEEP_LINE = new RegExp(`^(?:[ \\t]*(?:>|[-*+](?=[ \\t])|\\d{1,9}[.)](?=[ \\t]))[ \\t]*){${NEST_MAX + 1}}`, 'm');
const DEEP_INDENT = new RegExp(`^[ \\t]{${NEST_MAX * 4},}(?:[-*+>]|\\d{1,9}[.)])`, 'm');

/** Whether `text` nests containers deeper than the lexer may go. */
export function tooDeep(text: string): boolean {
  return DEEP_LINE.test(text) || DEEP_INDENT.test(text);
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/gm;

/** Whether every code fence opened before `end` is closed before it. */
function fencesBalanced(text: string, end: number): boolean {
  let open = '';
  FENCE_LINE.lastIndex = 0;
  for (let m = FENCE_LINE.exec(text); m && m.index < end; m = FENCE_LINE.exec(text)) {
    const mark = m[1];
    if (!open) open = mark;
    else if (mark[0] === open[0] && mark.length >= open.length) open = '';
  }
  return !open;
}

/**
 * Where to cut a region longer than REGION_MAX: after a blank line outside code fences if there
 * is one (the part before it is then complete Markdown), else after the last line break, else at
 * REGION_MAX (a single huge line). `plain` tells that the part before the cut is not Markdown
 * that can be lexed on its own and must be shown as text.
 */
export function cutRegion(region: string): { at: number; plain: boolean } {
  const head = region.slice(0, REGION_MAX);
  for (let i = head.lastIndexOf('\n\n'); i > 0; i = head.lastIndexOf('\n\n', i - 1)) {
    if (fencesBalanced(head, i)) return { at: i + 2, plain: false };
  }
  const line = head.lastIndexOf('\n');
  return line > 0 ? { at: line + 1, plain: true } : { at: REGION_MAX, plain: true };
}
