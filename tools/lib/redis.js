/**
 * A throwaway redis-server for the scale-out tests and the benchmark: 127.0.0.1 on a free port,
 * no persistence, killed by `stop()`. Ready once it answers PING (listening is not enough: it
 * may still be loading). Plain JS so the jest tests (test/helpers/redis.ts) and the benchmark
 * (tools/bench/lib/redis.js) share it.
 */
const { spawn, execFileSync } = require('child_process');
const net = require('net');

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function hasRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Resolves once redis on `port` answers PING with +PONG; rejects after `timeoutMs`. */
function waitForPong(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const retry = () => {
      if (Date.now() > deadline) reject(new Error(`redis-server did not answer PING on ${port} within ${timeoutMs} ms`));
      else setTimeout(attempt, 25);
    };
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        if (String(d).startsWith('+PONG')) resolve();
        else retry();
      });
      socket.once('error', () => {
        socket.destroy();
        retry();
      });
    };
    attempt();
  });
}

/**
 * Starts redis-server; `options.onSpawn(child)` sees the process first (the benchmark adds it to
 * the children it kills on exit). Resolves { url, port, stop }.
 */
async function startRedis(options = {}) {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  if (options.onSpawn) options.onSpawn(child);
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPong(port, options.startTimeoutMs || 5000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

module.exports = { startRedis, hasRedisServer, freePort };
