import { HandlerRegistry, register, defaultRegistry, readPostedItem } from '../../src/core/registry';
import { HybridError } from '../../src/core/errors';

interface Apis {
  add: { params: { a: number; b: number }; result: number };
  greet: { params: string; result: string };
}

test('register is typed, refuses duplicates and bad input, and unregisters', async () => {
  const r = new HandlerRegistry<Apis>();
  const off = r.register('add', (p) => p.a + p.b);
  expect(() => r.register('add', (p) => p.a)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  // @ts-expect-error: a handler must be a function
  expect(() => r.register('greet', 'nope')).toThrow(HybridError);
  expect(await r.invoke('add', { a: 2, b: 3 }).reply).toEqual({ ok: true, data: 5 });
  off();
  expect(r.has('add')).toBe(false);
  expect((await r.invoke('add', { a: 1, b: 1 }).reply as any).error.code).toBe('METHOD_NOT_FOUND');
  // Re-registering after unregister works; the stale unregister function does not remove the new one.
  r.register('add', (p) => p.a * p.b);
  off();
  expect(await r.invoke('add', { a: 2, b: 3 }).reply).toEqual({ ok: true, data: 6 });
  expect(r.unregister('add')).toBe(true);
  expect(r.names()).toEqual([]);
});

test('results JSON cannot carry become HANDLER_ERROR; cancel answers CANCELLED once', async () => {
  const r = new HandlerRegistry();
  r.register('cyclic', () => {
    const o: Record<string, unknown> = {};
    o.o = o;
    return o;
  });
  r.register('bigint', () => BigInt(1));
  let seenCancelled = false;
  r.register('slow', (_p, ctx) => new Promise((res) => setTimeout(() => {
    seenCancelled = ctx.cancelled;
    res('late');
  }, 20)));
  expect((await r.invoke('cyclic', null).reply as any).error.code).toBe('HANDLER_ERROR');
  expect((await r.invoke('bigint', null).reply as any).error.code).toBe('HANDLER_ERROR');
  const call = r.invoke('slow', null);
  call.cancel('gone');
  call.cancel('twice');
  expect(await call.reply).toEqual({ ok: false, error: { code: 'CANCELLED', message: 'gone' } });
  await new Promise((res) => setTimeout(res, 40));
  expect(seenCancelled).toBe(true);
});

test('call resolves with the result or rejects with the HybridError of the reply', async () => {
  const r = new HandlerRegistry<Apis>({ timeout: 50 });
  r.register('greet', (name) => `hi ${name}`);
  await expect(r.call('greet', '小明', { source: 'socket' })).resolves.toBe('hi 小明');
  await expect(r.call('nope')).rejects.toMatchObject({ name: 'HybridError', code: 'METHOD_NOT_FOUND' });
});

test('the default registry and posted-item envelopes', async () => {
  const off = register<Apis, 'greet'>('greet', (n) => n.toUpperCase());
  expect(await defaultRegistry.invoke('greet', 'ab').reply).toEqual({ ok: true, data: 'AB' });
  off();
  expect(readPostedItem({ _hkmsg: 'i', data: 1 })).toEqual({ kind: 'data', id: 'i', data: 1 });
  expect(readPostedItem([1])).toEqual({ kind: 'data', data: [1] });
  expect(readPostedItem({ _hkcmd: { req: 'r', api: 'a', params: 2 } })).toEqual({ kind: 'command', req: 'r', api: 'a', params: 2 });
  expect(readPostedItem({ _hkcmd: { req: '', api: 'a' } }).kind).toBe('invalid');
});
