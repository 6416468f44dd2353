import { Emitter } from '../../src/core/emitter';

type Events = { msg: string; count: number };

test('on delivers payloads in order; the returned function unsubscribes', () => {
  const e = new Emitter<Events>();
  const got: string[] = [];
  const off = e.on('msg', (m) => got.push('a:' + m));
  e.on('msg', (m) => got.push('b:' + m));
  e.emit('msg', '你好 🙂');
  off();
  off(); // twice is harmless
  e.emit('msg', 'x');
  expect(got).toEqual(['a:你好 🙂', 'b:你好 🙂', 'b:x']);
  expect(e.listenerCount('msg')).toBe(1);
  expect(e.listenerCount()).toBe(1);
});

test('once fires a single time and can be removed before it fires, by its unsubscribe or by off(fn)', () => {
  const e = new Emitter<Events>();
  const got: number[] = [];
  e.once('count', (n) => got.push(n));
  e.emit('count', 1);
  e.emit('count', 2);
  expect(got).toEqual([1]);
  const off = e.once('count', (n) => got.push(n * 100));
  off();
  const fn = (n: number) => got.push(n * 1000);
  e.once('count', fn);
  e.off('count', fn);
  e.emit('count', 3);
  expect(got).toEqual([1]);
  expect(e.listenerCount()).toBe(0);
});

test('a throwing listener does not stop the others and is reported', () => {
  const errors: unknown[] = [];
  const e = new Emitter<Events>((err) => errors.push(err));
  const got: string[] = [];
  e.on('msg', () => {
    throw new Error('listener 1 broke');
  });
  e.on('msg', (m) => got.push(m));
  e.emit('msg', 'still delivered');
  expect(got).toEqual(['still delivered']);
  expect(errors).toHaveLength(1);
  expect((errors[0] as Error).message).toBe('listener 1 broke');
});

test('the default error handler logs and carries on', () => {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const e = new Emitter<Events>();
  let delivered = 0;
  e.on('count', () => {
    throw new Error('x');
  });
  e.on('count', () => delivered++);
  e.emit('count', 1);
  expect(delivered).toBe(1);
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
});

test('unsubscribing during emit: self-removal is safe, a listener removed by an earlier one is skipped, added ones wait', () => {
  const e = new Emitter<Events>();
  const got: string[] = [];
  const offSelf: () => void = e.on('msg', (m) => {
    got.push('self:' + m);
    offSelf();
  });
  let offLater: () => void = () => undefined;
  e.on('msg', (m) => {
    got.push('remover:' + m);
    offLater();
    e.on('msg', (x) => got.push('added:' + x));
  });
  offLater = e.on('msg', (m) => got.push('later:' + m));
  e.emit('msg', '1');
  expect(got).toEqual(['self:1', 'remover:1']);
  got.length = 0;
  e.emit('msg', '2');
  expect(got).toEqual(['remover:2', 'added:2']);
});

test('events are independent; removeAllListeners clears one or all; a non-function is refused', () => {
  const e = new Emitter<Events>();
  const got: unknown[] = [];
  e.on('msg', (m) => got.push(m));
  e.on('count', (n) => got.push(n));
  e.emit('count', 5);
  e.removeAllListeners('count');
  e.emit('count', 6);
  e.emit('msg', 'm');
  e.removeAllListeners();
  e.emit('msg', 'gone');
  expect(got).toEqual([5, 'm']);
  expect(e.listenerCount()).toBe(0);
  expect(() => e.on('msg', 'nope' as unknown as () => void)).toThrow(TypeError);
  e.off('msg', () => undefined); // unknown listener: no-op
});
