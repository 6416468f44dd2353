/**
 * Runs `fn(spawn)` with its own child processes (all stopped afterwards). A piece that has not
 * landed (NotLanded, also when thrown in a child) gives { notLanded: reason } instead of failing.
 */
const { withWorkers } = require('./proc');

async function isolated(fn) {
  try {
    return await withWorkers(fn);
  } catch (err) {
    if (err && err.name === 'NotLanded') return { notLanded: err.message };
    throw err;
  }
}

module.exports = { isolated };
