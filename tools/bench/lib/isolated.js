/** Runs `fn(spawn)` with its own child processes (all stopped afterwards, also on an error). */
const { withWorkers } = require('./proc');

function isolated(fn) {
  return withWorkers(fn);
}

module.exports = { isolated };
