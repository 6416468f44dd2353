/**
 * Command-line parsing on `node:util` parseArgs: long and short flags, `--flag=value`, booleans
 * without a value, `--` ends the options. Serve options come from OPTION_SPECS, so each flag has
 * its environment variable; the command line wins over the environment.
 */
import { readFileSync } from 'fs';
import { parseArgs, ParseArgsConfig } from 'util';
import { HybridError } from '../core/errors';
import { OPTION_SPECS, optionsFromEnv, parseOptionValue, RelayOptions } from './options';

type ArgOptions = NonNullable<ParseArgsConfig['options']>;
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** parseArgs in strict mode, its errors turned into BAD_REQUEST with a pointer to the help. */
export function parseCommandArgs(args: string[], options: ArgOptions, allowPositionals = false): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new HybridError('BAD_REQUEST', `${(err as Error).message.replace(/\. To specify.*$/s, '')} (see "hybrid-kit help")`);
  }
}

export const HELP_OPTION: ArgOptions = { help: { type: 'boolean', short: 'h' } };

/** The parseArgs table of `serve`: every OPTION_SPECS entry plus -h/--help and --secret-stdin. */
export function serveArgOptions(): ArgOptions {
  const out: ArgOptions = { ...HELP_OPTION, 'secret-stdin': { type: 'boolean' } };
  for (const spec of OPTION_SPECS) {
    out[spec.flag.slice(2)] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
  }
  return out;
}

/** A PEM given inline, or the path of a file holding it. */
export function pemOrFile(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** Serve options: the environment, then the command line over it. */
export function serveOptions(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Partial<RelayOptions> {
  const options: Record<string, unknown> = { ...optionsFromEnv(env) };
  for (const spec of OPTION_SPECS) {
    const value = parsed.values[spec.flag.slice(2)];
    if (value === undefined) continue;
    options[spec.key] = typeof value === 'boolean' ? value : parseOptionValue(spec, value);
  }
  if (typeof options.jwtPublicKey === 'string') options.jwtPublicKey = pemOrFile(options.jwtPublicKey);
  return options as Partial<RelayOptions>;
}

/** All of stdin as text, without the trailing newline (for secrets piped in). */
export function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text.replace(/\r?\n$/, '')));
    stream.on('error', reject);
  });
}
