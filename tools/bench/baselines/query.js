/** token and env from a connection URL (`/socket?token=…&env=…`), as both baselines read them. */
function tokenAndEnv(url) {
  const query = new URL(url || '/', 'http://127.0.0.1').searchParams;
  return { token: query.get('token') || '', env: query.get('env') || '' };
}

module.exports = { tokenAndEnv };
