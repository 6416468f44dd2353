/**
 * redis-server for the scale-out figure (tools/lib/redis.js), killed afterwards and also when the
 * runner dies (proc.track). Without redis-server the callback is not run: { skipped: 'no redis-server' }.
 */
const { startRedis, hasRedisServer } = require('../../lib/redis');
const { track } = require('./proc');

async function withRedis(fn) {
  if (!hasRedisServer()) return { skipped: 'no redis-server' };
  const redis = await startRedis({ onSpawn: track });
  try {
    return await fn(redis.url);
  } finally {
    await redis.stop();
  }
}

module.exports = { withRedis };
