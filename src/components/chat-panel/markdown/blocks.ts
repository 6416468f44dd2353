/**
 * Marked tokens → the flat records markdown.wxml renders. Nesting (quotes, lists) becomes depth
 * numbers on each block, so the template never recurses; inline styles become flags on text
 * spans. Raw HTML from the message is shown as its text, never interpreted.
 */
import { MdToken } from './lexer';

/** A run of text; b/i/k/d: bold, italic, inline code, strikethrough; h: a link's address. */
export interface Span {
  x: string;
  b?: 1;
  i?: 1;
  k?: 1;
  d?: 1;
  h?: string;
}

/** One rendered block (see markdown.wxml). q: quote depth, d: list depth. */
export interface Block {
  t: 'h' | 'p' | 'li' | 'code' | 'table' | 'hr';
  s?: Span[];
  n?: number;
  m?: string;
  x?: string;
  g?: string;
  h?: Span[][];
  r?: Span[][][];
  q?: number;
  d?: number;
}

/** Deeper nesting is shown as the text it came from. */
const DEPTH_MAX = 8;

type Style = Omit<Span, 'x'>;

function push(out: Span[], x: string, style: Style): void {
  if (!x) return;
  const last = out[out.length - 1];
  if (last && last.b === style.b && last.i === style.i && last.k === style.k && last.d === style.d && last.h === style.h) {
    last.x += x; // adjacent runs of one style are one span
    return;
  }
  const span: Span = { x };
  (Object.keys(style) as (keyof Style)[]).forEach((k) => {
    if (style[k] !== undefined) (span as unknown as Record<string, unknown>)[k] = style[k];
  });
  out.push(span);
}

function inline(tokens: MdToken[] | undefined, style: Style, out: Span[]): Span[] {
  for (const tok of tokens || []) {
    switch (tok.type) {
      case 'strong':
        inline(tok.tokens, { ...style, b: 1 }, out);
        break;
      case 'em':
        inline(tok.tokens, { ...style, i: 1 }, out);
        break;
      case 'del':
        inline(tok.tokens, { ...style, d: 1 }, out);
        break;
      case 'codespan':
        push(out, String(tok.text), { ...style, k: 1 });
        break;
      case 'link':
        inline(tok.tokens, { ...style, h: String(tok.href) }, out);
        break;
      case 'image':
        push(out, String(tok.text || tok.href), { ...style, h: String(tok.href) });
        break;
      case 'br':
        push(out, '\n', style);
        break;
      case 'checkbox':
        push(out, tok.checked ? '☑ ' : '☐ ', style);
        break;
      case 'html':
      case 'tag':
        push(out, tok.raw, style); // shown as written
        break;
      default:
        if (tok.tokens) inline(tok.tokens, style, out);
        else push(out, unescape(String(tok.text !== undefined ? tok.text : tok.raw)), style);
    }
  }
  return out;
}

/** marked escapes text for HTML; we render text nodes, so the entities go back to characters. */
function unescape(text: string): string {
  return text.indexOf('&') < 0 ? text : text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}

export function spansOf(tokens: MdToken[] | undefined): Span[] {
  return inline(tokens, {}, []);
}

/** A plain-text block: what a limit refused, or raw HTML. */
export function textBlock(text: string): Block {
  return { t: 'p', s: [{ x: text }] };
}

interface Nest {
  q: number;
  d: number;
}

function place(block: Block, nest: Nest): Block {
  if (nest.q) block.q = nest.q;
  if (nest.d) block.d = nest.d;
  return block;
}

function listBlocks(tok: MdToken, nest: Nest, out: Block[]): void {
  const items = (tok.items as MdToken[]) || [];
  const start = typeof tok.start === 'number' ? tok.start : 1;
  items.forEach((item, n) => {
    let marker = tok.ordered ? `${start + n}.` : '•';
    let children = item.tokens || [];
    if (children[0] && children[0].type === 'checkbox') {
      marker = children[0].checked ? '☑' : '☐'; // a task item
      children = children.slice(1);
    }
    const first = children[0];
    const inner = { q: nest.q, d: nest.d + 1 };
    if (first && (first.type === 'text' || first.type === 'paragraph')) {
      out.push(place({ t: 'li', m: marker, s: spansOf(first.tokens) }, nest));
      children.slice(1).forEach((c) => blocksOf(c, inner, out));
    } else {
      out.push(place({ t: 'li', m: marker, s: [] }, nest));
      children.forEach((c) => blocksOf(c, inner, out));
    }
  });
}

function tableBlock(tok: MdToken): Block {
  const header = (tok.header as { tokens: MdToken[] }[]) || [];
  const rows = (tok.rows as { tokens: MdToken[] }[][]) || [];
  return { t: 'table', h: header.map((c) => spansOf(c.tokens)), r: rows.map((row) => row.map((c) => spansOf(c.tokens))) };
}

/** The blocks of one token (appended to `out`). */
export function blocksOf(tok: MdToken, nest: Nest, out: Block[]): Block[] {
  if (nest.q > DEPTH_MAX || nest.d > DEPTH_MAX) {
    out.push(place(textBlock(tok.raw), { q: Math.min(nest.q, DEPTH_MAX), d: Math.min(nest.d, DEPTH_MAX) }));
    return out;
  }
  switch (tok.type) {
    case 'space':
    case 'def':
      break;
    case 'heading':
      out.push(place({ t: 'h', n: Number(tok.depth) || 1, s: spansOf(tok.tokens) }, nest));
      break;
    case 'paragraph':
    case 'text':
      out.push(place({ t: 'p', s: tok.tokens ? spansOf(tok.tokens) : [{ x: String(tok.text) }] }, nest));
      break;
    case 'code': {
      const block: Block = { t: 'code', x: String(tok.text) };
      if (tok.lang) block.g = String(tok.lang);
      out.push(place(block, nest));
      break;
    }
    case 'blockquote':
      (tok.tokens || []).forEach((c) => blocksOf(c, { q: nest.q + 1, d: nest.d }, out));
      break;
    case 'list':
      listBlocks(tok, nest, out);
      break;
    case 'table':
      out.push(place(tableBlock(tok), nest));
      break;
    case 'hr':
      out.push(place({ t: 'hr' }, nest));
      break;
    default:
      out.push(place(textBlock(tok.raw.replace(/\n+$/, '')), nest)); // html and anything unknown: as written
  }
  return out;
}

/** The group of a top-level token. */
export function groupOf(tok: MdToken): Block[] {
  return blocksOf(tok, { q: 0, d: 0 }, []);
}
