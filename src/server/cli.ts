/**
 * `hybrid-kit serve [--port 8787 …]` runs the relay; `hybrid-kit token --secret s --sub u --ttl 60`
 * prints a signed token. Every serve flag has an environment variable (see `hybrid-kit help`).
 */
import { existsSync } from 'fs';
import { HybridError } from '../core/errors';
import { staticSources } from './http-routes';
import type { RelayServer } from './relay';
import { requirePeer } from './peer';
import { OPTION_SPECS, optionsFromEnv, parseOptionValue, RelayOptions } from './options';
import { signToken } from './tokens';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  env: process.env,
};

/** `--name value` and `--name=value` pairs; a flag followed by another flag (or nothing) is `''`. */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new HybridError('BAD_REQUEST', `unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(arg, argv[++i]);
    else flags.set(arg, '');
  }
  return flags;
}

export function serveOptions(argv: string[], env: NodeJS.ProcessEnv): Partial<RelayOptions> {
  const options: Record<string, unknown> = { ...optionsFromEnv(env) };
  for (const [flag, raw] of parseFlags(argv)) {
    const spec = OPTION_SPECS.find((s) => s.flag === flag);
    if (!spec) throw new HybridError('BAD_REQUEST', `unknown flag ${flag} (see "hybrid-kit help")`);
    options[spec.key] = parseOptionValue(spec, raw);
  }
  return options as Partial<RelayOptions>;
}

export function helpText(): string {
  const rows = OPTION_SPECS.map((s) => `  ${(s.flag + ' <' + s.kind + '>').padEnd(32)} ${s.env.padEnd(32)} ${s.help}`);
  return [
    'Usage:',
    '  hybrid-kit serve [options]                     run the relay (HTTP + WebSocket)',
    '  hybrid-kit token --secret <s> --sub <subject> [--ttl <seconds>]   print a signed token',
    '',
    'Serve options (flag, environment variable):',
    ...rows,
  ].join('\n');
}

function token(argv: string[], io: CliIo): number {
  const flags = parseFlags(argv);
  const secret = flags.get('--secret') || io.env.HYBRID_KIT_SECRET || '';
  const ttl = flags.has('--ttl') ? Number(flags.get('--ttl')) : 3600;
  io.out(signToken({ secret, sub: flags.get('--sub') || '', ttl }));
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
  const { createRelayServer } = loadRelay();
  const relay = createRelayServer({ ...serveOptions(argv, io.env), logger: { info: io.out, warn: io.err, error: io.err } });
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

/** Runs one command; resolves with the exit code (serve keeps running until a signal). */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'token':
        return token(rest, io);
      case undefined:
      case 'help':
      case '--help':
        io.out(helpText());
        return command === undefined ? 1 : 0;
      default:
        io.err(`unknown command "${command}"\n\n${helpText()}`);
        return 1;
    }
  } catch (err) {
    io.err(`hybrid-kit: ${(err as Error).message}`);
    return 1;
  }
}
