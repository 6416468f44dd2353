export interface TcpProxy {
  readonly port: number;
  readonly open: number;
  readonly cuts: number;
  cut(): number;
  close(): Promise<void>;
}
export function startTcpProxy(targetPort: number): Promise<TcpProxy>;
