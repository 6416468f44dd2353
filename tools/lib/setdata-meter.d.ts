/** Types for tools/lib/setdata-meter.js (used by the chat-panel tests and the benchmark). */
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

export function setDataBytes(data: Record<string, unknown>): number;
export function meterSetData(instance: { setData: SetDataFn }, onCall?: (data: Record<string, unknown>) => void): SetDataMeter;
