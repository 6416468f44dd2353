/**
 * Markdown messages for chat-panel, opt-in so that a panel without them carries no parser:
 *
 *   import { enableMarkdown } from 'miniprogram-hybrid-kit/components/chat-panel/markdown/index';
 *   enableMarkdown(); // once, e.g. in app.js, before markdown messages are added
 *
 * From then on `type: 'markdown'` messages are parsed (marked's lexer) and rendered by
 * chat-panel/markdown.wxml; before, they are shown as plain text.
 */
import { setMarkdownFactory } from '../parts';
import { MarkdownDoc } from './doc';

export { MarkdownDoc };
export type { Block, Span } from './blocks';

export function enableMarkdown(): void {
  setMarkdownFactory((source) => new MarkdownDoc(source));
}

export function disableMarkdown(): void {
  setMarkdownFactory(undefined);
}
