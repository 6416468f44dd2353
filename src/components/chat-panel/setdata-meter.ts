/**
 * Measures a component's setData traffic: wraps `setData` on one instance and records, per call,
 * the data paths and the UTF-8 size of the JSON argument (what crosses to the view thread).
 * Used by the tests and the benchmark; harmless in development builds too.
 */
import { utf8ByteLength } from '../../core/bytes';

export interface SetDataCall {
  bytes: number;
  keys: string[];
}

export interface SetDataMeter {
  readonly calls: SetDataCall[];
  /** Sum of `bytes` over the recorded calls. */
  totalBytes(): number;
  /** Forget the calls recorded so far. */
  reset(): void;
  /** Put the original setData back. */
  restore(): void;
}

type SetDataFn = (data: Record<string, unknown>, callback?: () => void) => void;

export function setDataBytes(data: Record<string, unknown>): number {
  return utf8ByteLength(JSON.stringify(data));
}

export function meterSetData(instance: { setData: SetDataFn }): SetDataMeter {
  const original = instance.setData;
  const calls: SetDataCall[] = [];
  instance.setData = function (this: unknown, data: Record<string, unknown>, callback?: () => void) {
    calls.push({ bytes: setDataBytes(data), keys: Object.keys(data) });
    return original.call(this, data, callback);
  };
  return {
    calls,
    totalBytes: () => calls.reduce((n, c) => n + c.bytes, 0),
    reset: () => {
      calls.length = 0;
    },
    restore: () => {
      instance.setData = original;
    },
  };
}
