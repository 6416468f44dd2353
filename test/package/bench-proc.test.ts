/**
 * The bench's child processes (tools/bench/lib/proc.js) over real forks: a request gets its
 * answer, the child's error keeps its name, a request fails on the timeout and when the child
 * exits, stop() ends the child, and withWorkers stops every worker even when its function throws.
 */
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-var-requires */
const { forkWorker, withWorkers } = require('../../tools/bench/lib/proc');

const WORKER = path.join(__dirname, '../fixtures/bench/echo-worker.js');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('answers, errors with their name, timeouts, and a request pending when the child exits', async () => {
  const w = forkWorker(WORKER, { quiet: true });
  try {
    await expect(w.request('echo', { a: 1 })).resolves.toEqual({ echoed: { a: 1 }, pid: w.pid });
    await expect(w.request('fail')).rejects.toMatchObject({ name: 'RangeError', message: 'asked to fail' });
    await expect(w.request('nope')).rejects.toThrow('unknown command nope');
    await expect(w.request('hang', {}, 100)).rejects.toThrow('hang: no answer within 100 ms');
    const hanging = w.request('hang', {}, 10_000);
    await expect(w.request('die')).rejects.toThrow(/exited \(3\)/);
    await expect(hanging).rejects.toThrow(/exited \(3\)/);
    await expect(w.request('echo')).rejects.toThrow('is not running');
  } finally {
    await w.stop();
  }
});

test('stop() ends the child; withWorkers stops its workers even when the function throws', async () => {
  const w = forkWorker(WORKER, { quiet: true });
  await w.request('echo');
  await w.stop();
  expect(alive(w.pid)).toBe(false);
  const pids: number[] = [];
  await expect(
    withWorkers(async (spawn: (file: string, o: object) => { pid: number; request(cmd: string): Promise<unknown> }) => {
      for (let i = 0; i < 2; i++) {
        const worker = spawn(WORKER, { quiet: true });
        await worker.request('echo');
        pids.push(worker.pid);
      }
      throw new Error('suite failed');
    }),
  ).rejects.toThrow('suite failed');
  expect(pids.filter(alive)).toEqual([]);
});
