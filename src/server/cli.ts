/**
 * `hybrid-kit serve [options]` runs the relay; `hybrid-kit token [options] [--] <subject>` prints a
 * JWT. Every serve option is also an environment variable (see `hybrid-kit help`); secrets come
 * from the environment or stdin (`--secret-stdin`), so they stay out of shell history.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { HybridError } from '../core/errors';
import { HELP_OPTION, ParsedArgs, parseCommandArgs, pemOrFile, readStdin, serveArgOptions, serveOptions } from './cli-args';
import { staticSources } from './http-routes';
import { OPTION_SPECS } from './options';
import { requirePeer } from './peer';
import type { RelayServer } from './relay';
import { signToken, SignTokenOptions } from './tokens';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** All of stdin (secrets piped in). */
  stdin(): Promise<string>;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  env: process.env,
  stdin: () => readStdin(),
};

const TOKEN_OPTIONS = {
  ...HELP_OPTION,
  sub: { type: 'string', short: 's' },
  ttl: { type: 'string', short: 't' },
  audience: { type: 'string' },
  issuer: { type: 'string' },
  'not-before': { type: 'string' },
  algorithm: { type: 'string', short: 'a' },
  'private-key': { type: 'string' },
  'key-id': { type: 'string' },
  'secret-stdin': { type: 'boolean' },
  secret: { type: 'string' },
} as const;

export function helpText(): string {
  const rows = OPTION_SPECS.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : '    '}${s.flag}${s.kind === 'boolean' ? '' : ` <${s.kind}>`}`;
    return `  ${flag.padEnd(34)} ${s.env.padEnd(32)} ${s.help}${s.secret ? ' (a secret: set the variable, not the flag)' : ''}`;
  });
  return [
    'Usage:',
    '  hybrid-kit serve [options]            run the relay (HTTP + WebSocket)',
    '  hybrid-kit token [options] [--] <subject>   print a JWT the relay accepts',
    '  hybrid-kit help | -h | --help | --version',
    '',
    'Serve options (flag, environment variable):',
    ...rows,
    '      --secret-stdin                 read the secret from stdin (instead of HYBRID_KIT_SECRET)',
    '',
    'Token options (the secret comes from HYBRID_KIT_SECRET or --secret-stdin; an RS256/ES256 key',
    'from --private-key <file> or HYBRID_KIT_PRIVATE_KEY):',
    '  -s, --sub <subject>   -t, --ttl <seconds> (3600)   -a, --algorithm HS256|RS256|ES256',
    '  --audience <aud>   --issuer <iss>   --not-before <seconds>   --key-id <kid>   --secret-stdin',
    '',
    'Booleans take no value on the command line (--demo); in the environment: 1/0, true/false.',
  ].join('\n');
}

/** The secret from stdin, the command line (warned: shell history) or HYBRID_KIT_SECRET. */
async function secretFrom(parsed: ParsedArgs, io: CliIo): Promise<string | undefined> {
  if (parsed.values['secret-stdin']) return io.stdin();
  if (typeof parsed.values.secret === 'string') {
    io.err('hybrid-kit: warning: --secret on the command line lands in shell history and `ps`; use HYBRID_KIT_SECRET or --secret-stdin');
    return parsed.values.secret;
  }
  return io.env.HYBRID_KIT_SECRET || undefined;
}

async function token(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, TOKEN_OPTIONS, true);
  if (parsed.values.help) return io.out(helpText()), 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals.length && values.sub)) throw new HybridError('BAD_REQUEST', 'give the subject once (--sub or one argument)');
  const keyText = (values['private-key'] as string | undefined) ?? io.env.HYBRID_KIT_PRIVATE_KEY;
  const privateKey = keyText ? pemOrFile(keyText) : undefined;
  const algorithm = String(values.algorithm || (privateKey ? 'RS256' : 'HS256')).toUpperCase() as SignTokenOptions['algorithm'];
  const seconds = (name: string) => (values[name] === undefined ? undefined : Number(values[name]));
  io.out(
    await signToken({
      sub: String(values.sub ?? positionals[0] ?? ''),
      secret: algorithm === 'HS256' ? (await secretFrom(parsed, io)) || '' : undefined,
      privateKey: algorithm === 'HS256' ? undefined : privateKey,
      algorithm,
      keyId: values['key-id'] as string | undefined,
      ttl: seconds('ttl'),
      audience: values.audience as string | undefined,
      issuer: values.issuer as string | undefined,
      notBeforeSec: seconds('not-before'),
    }),
  );
  return 0;
}

/**
 * Where to open the demo, printed after the listening line when a static dir (the H5 demo page)
 * is served. Token and env names are the ones tools/demo/config.js and tools/demo-h5 use.
 */
export function demoLines(relay: RelayServer): string[] {
  const address = relay.address();
  const dir = staticSources(relay.options).dir;
  if (!address || !dir || !existsSync(dir)) return [];
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const page = `http://${host}:${address.port}/`;
  return [
    `H5 demo page: ${page}?token=demo`,
    `second tab playing the mini program: ${page}?token=demo&env=miniapp`,
    `WeChat DevTools: open miniprogram_dev (npm run dev builds it); the demo connects to ${relay.url()}`,
  ];
}

/** The relay module, loaded once `ws` is known to be installed (an optional peer dependency). */
function loadRelay(): typeof import('./relay') {
  requirePeer('ws', 'hybrid-kit serve');
  return require('./relay');
}

async function serve(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, serveArgOptions());
  if (parsed.values.help) return io.out(helpText()), 0;
  const options = serveOptions(parsed, io.env);
  if (parsed.values['secret-stdin']) options.secret = await io.stdin();
  for (const spec of OPTION_SPECS) {
    if (spec.secret && parsed.values[spec.flag.slice(2)] !== undefined) io.err(`hybrid-kit: warning: ${spec.flag} on the command line lands in shell history and \`ps\`; use ${spec.env}`);
  }
  if (options.staticDir && !options.demo) io.err('hybrid-kit: warning: --static is served only with --demo');
  const { createRelayServer } = loadRelay();
  const relay = createRelayServer({ ...options, logger: { info: io.out, warn: io.err, error: io.err } });
  await relay.listen();
  for (const line of demoLines(relay)) io.out(line);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    io.out(`hybrid-kit: ${signal}, closing (clients are told to reconnect)`);
    relay.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return 0;
}

/** This package's version, from the package.json above this file (src/server or dist/node/server). */
function version(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'miniprogram-hybrid-kit') return pkg.version;
    }
  }
  return 'unknown';
}

/** Runs one command; resolves with the exit code (serve keeps running until a signal). */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'token':
        return await token(rest, io);
      case 'help':
      case '-h':
      case '--help':
        io.out(helpText());
        return 0;
      case '--version':
      case '-v':
        io.out(version());
        return 0;
      case undefined:
        io.err(helpText());
        return 1;
      default:
        io.err(`unknown command "${command}"\n\n${helpText()}`);
        return 1;
    }
  } catch (err) {
    io.err(`hybrid-kit: ${(err as Error).message}`);
    return 1;
  }
}
