import { HybridError } from './errors';
import { LIMITS } from './limits';

/** JSON.parse that turns every failure into BAD_REQUEST and refuses too-deep nesting. */
export function parseJson(text: string, what: string, maxDepth: number = LIMITS.maxDepth): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HybridError('BAD_REQUEST', `${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (depthOf(value, maxDepth) > maxDepth) {
    throw new HybridError('BAD_REQUEST', `${what} is nested deeper than ${maxDepth} levels`);
  }
  return value;
}

/** JSON.stringify that turns cycles, BigInt and undefined into BAD_REQUEST. */
export function stringifyJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new HybridError('BAD_REQUEST', `${what} cannot be encoded as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new HybridError('BAD_REQUEST', `${what} cannot be encoded as JSON`);
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

function depthOf(value: unknown, limit: number): number {
  // Iterative so hostile input cannot blow the stack; stops early once past the limit.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
