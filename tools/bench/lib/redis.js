/**
 * A throwaway redis-server for the scale-out figure: 127.0.0.1, a free port, no persistence,
 * killed afterwards. Without redis-server the callback is not run: { skipped: 'no redis-server' }.
 */
const { spawn, execFileSync } = require('child_process');
const net = require('net');
const { track } = require('./proc');

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

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function withRedis(fn) {
  if (!hasRedisServer()) return { skipped: 'no redis-server' };
  const port = await freePort();
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitForPort(port, 5000);
    return await fn(`redis://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

module.exports = { withRedis, freePort };
