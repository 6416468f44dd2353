import { HybridError } from './errors';
import { LIMITS } from './limits';

/** JSON.parse that turns every failure into BAD_REQUEST and refuses too-deep nesting. */
export function parseJson(text: string, what: string, maxDepth: number = LIMITS.maxDepth): unknown {
  // Checked on the text, before parsing: no allocation on the hot path, and hostile nesting is
  // refused before JSON.parse spends time on it.
  if (openersExceed(text, maxDepth) && nestingOf(text, maxDepth) > maxDepth) {
    throw new HybridError('BAD_REQUEST', `${what} is nested deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HybridError('BAD_REQUEST', `${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * JSON.stringify that turns cycles, BigInt and undefined into BAD_REQUEST. `kind`, when given,
 * names what it is in quotes (`"message" frame`): the label is only built for an error, not for
 * every frame.
 */
export function stringifyJson(value: unknown, what: string, kind?: string): string {
  let text: string | undefined;
  let why = '';
  try {
    text = JSON.stringify(value);
  } catch (err) {
    why = ': ' + (err as Error).message;
  }
  if (text === undefined) {
    throw new HybridError('BAD_REQUEST', `${kind === undefined ? what : `"${kind}" ${what}`} cannot be encoded as JSON${why}`);
  }
  return text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a name-like field (req, id, api, env…): a non-empty string of bounded length. */
export function checkName(value: unknown, field: string, maxLength: number = LIMITS.maxNameLength): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new HybridError('BAD_REQUEST', `"${field}" must be a non-empty string`);
  }
  if (value.length > maxLength) {
    throw new HybridError('BAD_REQUEST', `"${field}" is longer than ${maxLength} characters`);
  }
  return value;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

/** True for text encodeURIComponent accepts: no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Whether the text holds more than `limit` `{` and `[` in all (strings included). When it does
 * not, no nesting can pass `limit`, and the exact scan is skipped: indexOf is far cheaper than a
 * loop over every character, and real frames hold a handful of brackets.
 */
function openersExceed(text: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > limit) return true;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > limit) return true;
  return false;
}

/**
 * The deepest nesting of objects and arrays in JSON text (brackets outside strings), stopping as
 * soon as it passes `limit`. Text that is not JSON gets some number; JSON.parse then refuses it.
 */
function nestingOf(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}
