/**
 * redis-server for the scale-out figure (tools/lib/redis.js), killed afterwards and also when the
 * runner dies (proc.track). Without redis-server the figure fails like any missing piece.
 */
const { startRedis, hasRedisServer } = require('../../lib/redis');
const { track } = require('./proc');

async function withRedis(fn) {
  if (!hasRedisServer()) throw new Error('redis-server not found: the scale-out figure needs it (apt-get install redis-server)');
  const redis = await startRedis({ onSpawn: track });
  try {
    return await fn(redis.url);
  } finally {
    await redis.stop();
  }
}

module.exports = { withRedis };
