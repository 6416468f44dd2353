/**
 * The one place that touches the Markdown library (marked's Lexer, tokens only: we never use its
 * HTML renderer). The build bundles this file with marked into one file of miniprogram_dist, so
 * 构建npm needs no dependency. Its declarations name no marked type.
 */
import { Lexer } from 'marked';

/** A marked token, as loosely as we read it. */
export interface MdToken {
  type: string;
  raw: string;
  text?: string;
  tokens?: MdToken[];
  [field: string]: unknown;
}

/** Inline runs longer than this stay plain text (emphasis matching is superlinear on hostile input). */
export const INLINE_MAX = 4000;

/**
 * Block tokens of `src` (already free of `\r`), with inline tokens for every run up to
 * INLINE_MAX characters. Token `raw`s concatenate back to `src`.
 */
export function lexBlocks(src: string): MdToken[] {
  const lexer = new Lexer({ gfm: true });
  const tokens = lexer.blockTokens(src, []) as unknown as MdToken[];
  for (const run of lexer.inlineQueue) {
    if (run.src.length <= INLINE_MAX) lexer.inlineTokens(run.src, run.tokens);
    else run.tokens.push({ type: 'text', raw: run.src, text: run.src });
  }
  lexer.inlineQueue = [];
  return tokens;
}
