import { ERROR_CODES, HybridError, isErrorCode, isHybridError } from '../../src/core/errors';

test('the code list is the one of the design, without duplicates', () => {
  expect([...ERROR_CODES].sort()).toEqual(
    ['BAD_REQUEST', 'CANCELLED', 'HANDLER_ERROR', 'METHOD_NOT_FOUND', 'NOT_IN_MINIPROGRAM', 'OFFLINE', 'PAYLOAD_TOO_LARGE', 'QUEUE_FULL', 'RATE_LIMITED', 'TIMEOUT', 'UNAUTHORIZED'],
  );
  expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  expect(isErrorCode('TIMEOUT')).toBe(true);
  expect(isErrorCode('timeout')).toBe(false);
  expect(isErrorCode(7)).toBe(false);
});

test('HybridError keeps code, message, details, instanceof and serializes to the wire shape', () => {
  const err = new HybridError('TIMEOUT', 'no answer in 50 ms', { req: 'r1' });
  expect(err).toBeInstanceOf(HybridError);
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('HybridError');
  expect(err.details).toEqual({ req: 'r1' });
  expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'TIMEOUT', message: 'no answer in 50 ms' });
  expect(isHybridError(err)).toBe(true);
  expect(isHybridError(err, 'TIMEOUT')).toBe(true);
  expect(isHybridError(err, 'OFFLINE')).toBe(false);
  expect(isHybridError(new Error('x'))).toBe(false);
  expect('details' in new HybridError('OFFLINE', 'x')).toBe(false);
});

test('from() wraps anything thrown into a HybridError; wire codes newer than this build are kept, local ones are not', () => {
  const same = new HybridError('CANCELLED', 'c');
  expect(HybridError.from(same)).toBe(same);
  expect(HybridError.from(new Error('boom')).toJSON()).toEqual({ code: 'HANDLER_ERROR', message: 'boom' });
  expect(HybridError.from({ code: 'RATE_LIMITED', message: 'slow down' }).toJSON()).toEqual({ code: 'RATE_LIMITED', message: 'slow down' });
  // A wire shape from a newer peer keeps its well-formed code; junk codes become the fallback.
  expect(HybridError.from({ code: 'NEWER_CODE', message: 'm' }, 'BAD_REQUEST').code).toBe('NEWER_CODE');
  for (const junk of ['', 'timeout', '<b>X</b>', 7]) expect(HybridError.from({ code: junk, message: 'm' }, 'BAD_REQUEST').code).toBe('BAD_REQUEST');
  // An Error's own code (Node's ENOENT) is not one of ours; a HybridError of another copy of the kit is.
  expect(HybridError.from(Object.assign(new Error('no file'), { code: 'ENOENT' })).code).toBe('HANDLER_ERROR');
  const foreign = Object.assign(new Error('slow'), { name: 'HybridError', code: 'RATE_LIMITED' });
  expect(HybridError.from(foreign).code).toBe('RATE_LIMITED');
  expect(HybridError.from('plain text').toJSON()).toEqual({ code: 'HANDLER_ERROR', message: 'plain text' });
  expect(HybridError.from(undefined, 'TIMEOUT').toJSON()).toEqual({ code: 'TIMEOUT', message: 'TIMEOUT' });
  expect(HybridError.from(null).message).toBe('null');
  expect(HybridError.from({ message: 42 }).message).toBe('[object Object]');
});
