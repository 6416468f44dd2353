/**
 * A Markdown message as it streams: its source, the part of it already committed (complete
 * top-level blocks, lexed once, sent once), and the open tail (the last block, which more text can
 * still change). Each sync lexes only the tail, so a piece costs the size of the last block, not
 * of the message; the view receives the changed group(s) by path.
 */
import { PartsChange, PartsModel } from '../parts';
import { Block, groupOf, textBlock } from './blocks';
import { cutRegion, REGION_MAX, RENDER_MAX, tooDeep } from './guard';
import { lexBlocks, MdToken } from './lexer';

function normalize(text: string): string {
  return text.indexOf('\r') < 0 ? text : text.replace(/\r\n?/g, '\n');
}

/** Plain text, in blocks of at most REGION_MAX characters. */
function plainGroups(text: string): Block[][] {
  const groups: Block[][] = [];
  for (let i = 0; i < text.length; i += REGION_MAX) groups.push([textBlock(text.slice(i, i + REGION_MAX))]);
  return groups;
}

export class MarkdownDoc implements PartsModel {
  /** One group of blocks per committed top-level block, then the open group (while not finished). */
  parts: Block[][] = [];
  private src = '';
  /** Offset in `src` where the open tail starts. */
  private committed = 0;
  /** Groups that are final. */
  private done = 0;
  private finished = false;
  /** The source went past RENDER_MAX: the rest is not rendered (a final "…" says so). */
  private clipped = false;
  private stale = true;
  private whole = true;
  /** First group the view lacks. */
  private from = 0;

  constructor(source: string) {
    this.src = normalize(source);
  }

  append(text: string): void {
    if (!text) return;
    this.src += normalize(text);
    this.stale = true;
  }

  finish(): void {
    this.finished = true;
    this.stale = true;
  }

  reset(text: string): void {
    this.src = normalize(text);
    this.parts = [];
    this.committed = this.done = 0;
    this.clipped = false;
    this.whole = this.stale = true;
  }

  take(): PartsChange | undefined {
    if (this.stale) this.sync();
    if (!this.whole && this.from >= this.parts.length) return undefined;
    const change = { whole: this.whole, from: this.from };
    this.whole = false;
    this.from = this.parts.length;
    return change;
  }

  /** The whole source (for tests and the bench). */
  get source(): string {
    return this.src;
  }

  /** Re-lexes the open tail; commits what is complete. */
  private sync(): void {
    this.stale = false;
    if (this.clipped) return;
    this.from = Math.min(this.from, this.done); // the old open group is replaced
    const clip = this.src.length > RENDER_MAX;
    let region = this.src.slice(this.committed, RENDER_MAX);
    while (region.length > REGION_MAX) {
      const cut = cutRegion(region);
      const head = region.slice(0, cut.at);
      this.commit(cut.plain ? plainGroups(head) : this.groups(this.lex(head)), head.length);
      region = region.slice(cut.at);
    }
    const tokens = this.lex(region);
    let open = tokens.length;
    if (!this.finished && !clip) {
      while (open > 0 && tokens[open - 1].type === 'space') open--;
      open = Math.max(0, open - 1); // the last block can still change
    }
    const closed = tokens.slice(0, open);
    this.commit(this.groups(closed), closed.reduce((n, t) => n + t.raw.length, 0));
    this.parts.length = this.done;
    if (clip) {
      this.clipped = true;
      this.commit([[textBlock('…')]], 0);
    } else if (!this.finished) this.parts.push(this.groups(tokens.slice(open)).reduce((all, g) => all.concat(g), [] as Block[]));
  }

  private commit(groups: Block[][], length: number): void {
    this.parts.length = this.done;
    for (const g of groups) this.parts.push(g);
    this.done = this.parts.length;
    this.committed += length;
  }

  /** Tokens of a region; a region nested too deep for the lexer is one plain-text token. */
  private lex(region: string): MdToken[] {
    if (!region) return [];
    if (tooDeep(region)) return [{ type: 'plain', raw: region }];
    const tokens = lexBlocks(region);
    const covered = tokens.reduce((n, t) => n + t.raw.length, 0);
    return covered === region.length ? tokens : [{ type: 'plain', raw: region }]; // never lose text
  }

  private groups(tokens: MdToken[]): Block[][] {
    const out: Block[][] = [];
    for (const tok of tokens) {
      if (tok.type === 'plain') out.push(...plainGroups(tok.raw));
      else {
        const g = groupOf(tok);
        if (g.length) out.push(g);
      }
    }
    return out;
  }
}
