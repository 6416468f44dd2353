/**
 * The navigate channel, H5 → mini program: the H5 page navigates to the call page with
 * `?cmd=<encodeURIComponent(JSON.stringify({ v, req, api, params }))>` (the format of the old
 * navigate + hash helper, which sent the same object without `v`).
 */
import { HybridError } from './errors';
import { checkName, isPlainObject, isWellFormed, parseJson, stringifyJson } from './json';
import { LIMITS, PROTOCOL_VERSION } from './limits';

export interface NavigateCmd<P = unknown> {
  v?: number;
  req: string;
  api: string;
  params?: P;
}

/** The encoded `cmd` query value. Throws PAYLOAD_TOO_LARGE past `maxLength` characters. */
export function encodeCmd(cmd: NavigateCmd, maxLength: number = LIMITS.maxCmdLength): string {
  checkName(cmd.req, 'req');
  checkName(cmd.api, 'api');
  const body: NavigateCmd = { v: PROTOCOL_VERSION, req: cmd.req, api: cmd.api };
  if (cmd.params !== undefined) body.params = cmd.params;
  const encoded = encodeURIComponent(stringifyJson(body, 'cmd'));
  if (encoded.length > maxLength) {
    throw new HybridError('PAYLOAD_TOO_LARGE', `cmd is ${encoded.length} characters once encoded; the limit is ${maxLength}`);
  }
  return encoded;
}

/** `callPage?cmd=…`, keeping any query the call page path already has. */
export function buildCallUrl(callPage: string, cmd: NavigateCmd, maxLength?: number): string {
  return callPage + (callPage.indexOf('?') >= 0 ? '&' : '?') + 'cmd=' + encodeCmd(cmd, maxLength);
}

export type DecodedCmd =
  | { ok: true; cmd: NavigateCmd }
  /** `req` is set when it could be recovered, so the error can still be answered. */
  | { ok: false; error: HybridError; req?: string };

/**
 * Decodes `cmd` defensively: the value may arrive decoded, encoded once, or encoded twice
 * (the platform and older helpers disagree), and it may be broken. Never throws.
 */
export function decodeCmd(raw: unknown, maxLength: number = LIMITS.maxCmdLength): DecodedCmd {
  if (raw === undefined || raw === null || raw === '') {
    return { ok: false, error: new HybridError('BAD_REQUEST', 'cmd is missing') };
  }
  if (typeof raw !== 'string') return fromValue(raw);
  if (raw.length > maxLength * 3) {
    // Three times covers one more level of percent-encoding than we produce. The req is looked
    // for only near the start (where encodeCmd puts it): a refusal costs the same at any size.
    return {
      ok: false,
      error: new HybridError('PAYLOAD_TOO_LARGE', `cmd is ${raw.length} characters; the limit is ${maxLength}`),
      req: salvageReq(raw.slice(0, SALVAGE_PREFIX)),
    };
  }
  let text = raw;
  for (let round = 0; round < 3; round++) {
    const trimmed = text.trim();
    if (trimmed.charAt(0) === '{' || trimmed.charAt(0) === '"') {
      try {
        const value = parseJson(trimmed, 'cmd');
        // A JSON string holding JSON: someone stringified twice.
        if (typeof value === 'string') {
          text = value;
          continue;
        }
        return fromValue(value, raw);
      } catch (err) {
        return { ok: false, error: HybridError.from(err, 'BAD_REQUEST'), req: salvageReq(raw) };
      }
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return { ok: false, error: new HybridError('BAD_REQUEST', 'cmd has a broken percent-encoding'), req: salvageReq(raw) };
    }
    if (decoded === text) break;
    text = decoded;
  }
  return { ok: false, error: new HybridError('BAD_REQUEST', 'cmd is not a JSON object'), req: salvageReq(raw) };
}

function fromValue(value: unknown, raw?: string): DecodedCmd {
  if (!isPlainObject(value)) {
    return { ok: false, error: new HybridError('BAD_REQUEST', 'cmd is not a JSON object') };
  }
  // A req with a lone surrogate cannot be written into the reply hash: nothing can answer it.
  const req = typeof value.req === 'string' && value.req && isWellFormed(value.req) ? value.req : undefined;
  try {
    checkName(value.req, 'req');
    checkName(value.api, 'api');
    if (!req || !isWellFormed(value.api as string)) throw new HybridError('BAD_REQUEST', '"req" and "api" must be well-formed Unicode');
  } catch (err) {
    return { ok: false, error: HybridError.from(err, 'BAD_REQUEST'), req: req && req.length <= LIMITS.maxNameLength ? req : raw && salvageReq(raw) };
  }
  const cmd: NavigateCmd = { req: value.req as string, api: value.api as string };
  if (typeof value.v === 'number') cmd.v = value.v;
  if (value.params !== undefined) cmd.params = value.params;
  return { ok: true, cmd };
}

/** How much of an oversized cmd is searched for its req: `{"v":1,"req":"<128 characters>"` encoded twice, and more. */
const SALVAGE_PREFIX = 4096;

/** Best effort: find `"req":"…"` in a broken cmd so the caller still gets an answer. */
function salvageReq(raw: string): string | undefined {
  let text = raw;
  for (let i = 0; i < 3; i++) {
    const m = /"req"\s*:\s*"([^"\\]{1,128})"/.exec(text);
    if (m) return isWellFormed(m[1]) ? m[1] : undefined;
    let next: string;
    try {
      next = decodeURIComponent(text);
    } catch {
      // Broken escapes somewhere: decode the ASCII ones (all a req needs to be found), one
      // replace, no error thrown per escape.
      next = text.replace(/%([0-7][0-9a-fA-F])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (next === text) break;
    text = next;
  }
  return undefined;
}
