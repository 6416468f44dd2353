// Thin on purpose: the tasks live in tools/build.js.
const build = require('./tools/build');

exports.clean = build.clean;
exports.build = build.build;
exports.dev = build.dev;
exports.watch = build.watch;
exports.default = build.build;
