/** EnvTable: one entry per env under each pairing key, exact-size arrays replaced on every change. */
import * as path from 'path';
import type * as EnvTableModule from '../../src/server/env-table';
import { DIST_SERVER } from './helpers';

const { EnvTable } = require(path.join(DIST_SERVER, 'env-table')) as typeof EnvTableModule;

type Entry = { env: string; n: number };
const entry = (env: string, n = 0): Entry => ({ env, n });

describe('EnvTable', () => {
  test('set adds one entry per env, get finds it, list holds them in order of arrival', () => {
    const table = new EnvTable<Entry>();
    const h5 = entry('h5');
    const mp = entry('miniapp');
    expect(table.set('k', h5)).toBeUndefined();
    expect(table.set('k', mp)).toBeUndefined();
    expect(table.set('other', entry('h5', 2))).toBeUndefined();
    expect(table.get('k', 'h5')).toBe(h5);
    expect(table.get('k', 'miniapp')).toBe(mp);
    expect(table.get('k', 'pc')).toBeUndefined();
    expect(table.get('none', 'h5')).toBeUndefined();
    expect(table.list('k')).toEqual([h5, mp]);
    expect(table.list('none')).toEqual([]);
    expect([...table.values()].map((e) => e.n)).toEqual([0, 0, 2]);
  });

  test('set of an env already there replaces it and returns the old entry', () => {
    const table = new EnvTable<Entry>();
    const first = entry('h5', 1);
    const second = entry('h5', 2);
    table.set('k', first);
    table.set('k', entry('miniapp'));
    expect(table.set('k', second)).toBe(first);
    expect(table.list('k').map((e) => [e.env, e.n])).toEqual([['h5', 2], ['miniapp', 0]]);
  });

  test('delete removes exactly that entry: a replaced entry leaves the newer one in place', () => {
    const table = new EnvTable<Entry>();
    const first = entry('h5', 1);
    const second = entry('h5', 2);
    table.set('k', first);
    table.set('k', second);
    expect(table.delete('k', first)).toBe(false);
    expect(table.get('k', 'h5')).toBe(second);
    expect(table.delete('k', second)).toBe(true);
    expect(table.list('k')).toEqual([]);
    expect([...table.entries()]).toEqual([]); // an empty key is gone
    expect(table.delete('k', second)).toBe(false);
  });

  test('a list being iterated is never changed under the loop (changes make a new list)', () => {
    const table = new EnvTable<Entry>();
    const a = entry('a');
    const b = entry('b');
    table.set('k', a);
    table.set('k', b);
    const seen: string[] = [];
    for (const e of table.list('k')) {
      seen.push(e.env);
      table.delete('k', a);
      table.set('k', entry('c'));
    }
    expect(seen).toEqual(['a', 'b']);
    expect(table.list('k').map((e) => e.env)).toEqual(['b', 'c']);
  });

  test('many keys, many envs: matches a Map of Maps after a seeded sequence of sets and deletes', () => {
    const table = new EnvTable<Entry>();
    const model = new Map<string, Map<string, Entry>>();
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let i = 0; i < 5000; i++) {
      const key = `k${rand(20)}`;
      const env = `e${rand(8)}`;
      if (rand(3)) {
        const e = entry(env, i);
        const old = model.get(key)?.get(env);
        expect(table.set(key, e)).toBe(old);
        if (!model.has(key)) model.set(key, new Map());
        model.get(key)!.set(env, e);
      } else {
        const current = model.get(key)?.get(env);
        expect(table.delete(key, current || entry(env))).toBe(!!current);
        if (current) {
          model.get(key)!.delete(env);
          if (!model.get(key)!.size) model.delete(key);
        }
      }
    }
    for (const [key, envs] of model) {
      expect(table.list(key).map((e) => e.env).sort()).toEqual([...envs.keys()].sort());
      for (const [env, e] of envs) expect(table.get(key, env)).toBe(e);
    }
    expect([...table.entries()].length).toBe(model.size);
  });
});
