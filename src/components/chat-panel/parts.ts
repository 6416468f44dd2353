/**
 * Content models: how a message's `parts` grow while it streams, and which parts the view still
 * lacks. The view receives only those (`parts[k]` by data path), so a streamed piece costs about
 * its own size, never the size of the message so far.
 */

/** What the view lacks since the last `take()`: every part (`whole`), or the parts from `from` on. */
export interface PartsChange {
  whole: boolean;
  from: number;
}

export interface PartsModel {
  /** The parts the view renders (replaced, not only appended to, when `whole` changes). */
  readonly parts: unknown[];
  /** More text at the end of the message. */
  append(text: string): void;
  /** No more text will come. */
  finish(): void;
  /** Start over with this text (a content update). */
  reset(text: string): void;
  /** The change since the last call, or undefined when the view is up to date. */
  take(): PartsChange | undefined;
}

/**
 * Most parts a streaming text keeps before folding them into one (bounds the nodes of one bubble:
 * about one part per flush, so 128 parts is 12.8 s of streaming at the default 100 ms interval).
 */
export const MAX_TEXT_PARTS = 128;

/**
 * A streaming text: one string per flush. Pieces arriving between two flushes are joined into the
 * part the view has not received yet; a flush sends only the new parts.
 */
export class TextParts implements PartsModel {
  parts: string[];
  /** First part the view lacks; `parts.length` when none. */
  private unsentFrom: number;
  private whole = true;

  constructor(text: string) {
    this.parts = text ? [text] : [];
    this.unsentFrom = 0;
  }

  append(text: string): void {
    if (!text) return;
    const last = this.parts.length - 1;
    if (last >= this.unsentFrom) this.parts[last] += text;
    else if (this.parts.length >= MAX_TEXT_PARTS) this.reset(this.parts.join('') + text);
    else this.parts.push(text);
  }

  finish(): void {
    /* nothing pending: every piece is already a part */
  }

  reset(text: string): void {
    this.parts = text ? [text] : [];
    this.unsentFrom = 0;
    this.whole = true;
  }

  take(): PartsChange | undefined {
    if (!this.whole && this.unsentFrom >= this.parts.length) return undefined;
    const change = { whole: this.whole, from: this.unsentFrom };
    this.whole = false;
    this.unsentFrom = this.parts.length;
    return change;
  }
}

/** Makes the content model of a Markdown message (registered by the opt-in `markdown` module). */
export type MarkdownFactory = (source: string) => PartsModel;

let markdownFactory: MarkdownFactory | undefined;

/** Called by `chat-panel/markdown`: from then on `type: 'markdown'` messages are parsed and rendered. */
export function setMarkdownFactory(factory: MarkdownFactory | undefined): void {
  markdownFactory = factory;
}

export function getMarkdownFactory(): MarkdownFactory | undefined {
  return markdownFactory;
}
