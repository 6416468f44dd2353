/**
 * docs/protocol.md and its Chinese copy against src/core/protocol: the frame type, close code and
 * error code tables name exactly what the code knows, with the same direction and client policy.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CLIENT_CLOSE,
  CLOSE_CODES,
  closeDecision,
  CloseDecision,
  ENV_PATTERN,
  ERROR_CODES,
  FRAME_DIRECTIONS,
  FRAME_TYPES,
  FrameDirection,
  isEnvName,
  isWireErrorCode,
  pairedEnv,
  RETRYABLE_CLOSE_RANGE,
  ROLES,
  SERVER_ONLY_TYPES,
  TERMINAL_CLOSE_RANGE,
} from '../../src/core/protocol';

const DOCS = path.resolve(__dirname, '../../docs');

/** Rows (cells) of the table whose header line is exactly `header`. */
function table(md: string, header: string): string[][] {
  const lines = md.split('\n');
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no table with header "${header}"`);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const LANGS = [
  {
    file: 'protocol.md',
    type: '| type | direction | fields | meaning |',
    close: '| code | meaning | client |',
    errors: '| code | meaning |',
    direction: { 'server → client': 'server', 'client → server': 'client', both: 'both' } as Record<string, FrameDirection>,
    decision: (text: string): CloseDecision => (text.startsWith('does not reconnect') ? 'stop' : text.startsWith('reconnects') ? 'retry' : text.startsWith('stops') ? 'terminal' : (null as never)),
  },
  {
    file: 'zh-CN/protocol.md',
    type: '| type | 方向 | 字段 | 含义 |',
    close: '| code | 含义 | 客户端行为 |',
    errors: '| code | 含义 |',
    direction: { '服务器 → 客户端': 'server', '客户端 → 服务器': 'client', 双向: 'both' } as Record<string, FrameDirection>,
    decision: (text: string): CloseDecision => (text.startsWith('不重连') ? 'stop' : text.includes('重连') ? 'retry' : text.startsWith('停止') ? 'terminal' : (null as never)),
  },
];

describe.each(LANGS)('docs/$file', (lang) => {
  const md = fs.readFileSync(path.join(DOCS, lang.file), 'utf8');

  test('the frame type table lists every frame type with its direction', () => {
    const documented = new Map<string, FrameDirection>();
    for (const [types, direction] of table(md, lang.type)) {
      const names = types.match(/`[a-z]+`/g);
      if (!names) continue; // "anything else": the relay format of the old design
      for (const name of names) documented.set(name.slice(1, -1), lang.direction[direction]);
    }
    expect([...documented.keys()].sort()).toEqual([...FRAME_TYPES].sort());
    for (const t of FRAME_TYPES) expect([t, documented.get(t)]).toEqual([t, FRAME_DIRECTIONS[t]]);
  });

  test('the close code table lists every code the relay sends and the ranges, with the client policy', () => {
    const rows = table(md, lang.close);
    const singles = new Map<number, CloseDecision>();
    const ranges: Array<[number, number, CloseDecision]> = [];
    for (const [code, , client] of rows) {
      const decision = lang.decision(client);
      expect([code, decision]).toEqual([code, expect.any(String)]);
      const range = code.match(/^(\d+)–(\d+)$/);
      if (range) ranges.push([Number(range[1]), Number(range[2]), decision]);
      else singles.set(Number(code), decision);
    }
    expect([...singles.keys()].sort()).toEqual(Object.values(CLOSE_CODES).sort());
    for (const [code, decision] of singles) expect([code, decision]).toEqual([code, closeDecision(code)]);
    expect(ranges).toEqual([
      [RETRYABLE_CLOSE_RANGE.min, RETRYABLE_CLOSE_RANGE.max, 'retry'],
      [TERMINAL_CLOSE_RANGE.min, TERMINAL_CLOSE_RANGE.max, 'terminal'],
    ]);
    for (const [min, max, decision] of ranges) {
      for (const code of [min, (min + max) >> 1, max]) expect(closeDecision(code)).toBe(decision);
    }
  });

  test('the client-side close codes are named', () => {
    const open = lang.file === 'protocol.md' ? ' (' : '（';
    for (const code of Object.values(CLIENT_CLOSE)) expect(md).toContain(`${code}${open}`);
  });

  test('the error code table lists exactly ERROR_CODES', () => {
    const codes = table(md, lang.errors).map(([c]) => c.replace(/`/g, ''));
    expect(codes).toEqual([...ERROR_CODES]);
  });

  test('the env name rule and the roles are stated', () => {
    expect(md).toContain('1-32');
    expect(md).toContain('`A-Z a-z 0-9 _ . -`');
    for (const role of ROLES) expect(md).toContain(`\`${role}\``);
  });
});

test('protocol constants behave as documented', () => {
  expect(SERVER_ONLY_TYPES.slice().sort()).toEqual(['delivered', 'error', 'hello', 'presence']);
  expect(isEnvName('a.b-c_9')).toBe(true);
  for (const bad of ['', 'x'.repeat(33), 'a b', 'é', undefined, 7]) expect(isEnvName(bad)).toBe(false);
  expect(ENV_PATTERN.test('x'.repeat(32))).toBe(true);
  expect(pairedEnv('h5')).toBe('miniapp');
  expect(pairedEnv('miniapp')).toBe('h5');
  // Env names like `constructor` have no pair.
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'admin']) expect(pairedEnv(name)).toBeUndefined();
  for (const ok of ['NEW_CODE', 'X', 'A'.repeat(64), ...ERROR_CODES]) expect(isWireErrorCode(ok)).toBe(true);
  for (const junk of ['', 'timeout', '<b>X</b>', 'A'.repeat(65), '_X', '9X', 'X-Y', 7, null]) expect(isWireErrorCode(junk)).toBe(false);
  expect(closeDecision(1000)).toBe('stop');
  expect(closeDecision(1006)).toBe('retry');
});

test('the literal lists agree with FRAME_DIRECTIONS', () => {
  expect([...FRAME_TYPES].sort()).toEqual(Object.keys(FRAME_DIRECTIONS).sort());
  expect([...SERVER_ONLY_TYPES].sort()).toEqual(FRAME_TYPES.filter((t) => FRAME_DIRECTIONS[t] === 'server').sort());
});
