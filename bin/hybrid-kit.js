#!/usr/bin/env node
'use strict';
// The CLI lives in the compiled server build (npm run build).
const { main } = require('../dist/node/server/cli.js');

main().then((code) => {
  if (code !== 0) process.exitCode = code;
});
