/**
 * Deep paths of earlier releases that users may still import or list in app.json. The build writes
 * a forwarding module (or a copy of the page) at each old path inside miniprogram_dist, so
 * `require('miniprogram-hybrid-kit/behaviors/relay-socket')` keeps working after the renames listed
 * in CHANGELOG.md. The sources stay in one place (src/services, src/behaviors, src/pages).
 */
const fs = require('fs');
const path = require('path');

/** old module path → new module path (relative to miniprogram_dist, without extension). */
const OLD_MODULES = {
  'behaviors/relay-mailbox': 'services/reply-mailbox',
  'behaviors/relay-socket': 'services/socket-requests',
  'behaviors/socket-pool': 'services/socket-pool',
  'behaviors/hybrid-relay': 'behaviors/hybrid-call',
};

/** old page folder → new page folder: the page is copied (app.json lists pages by path). */
const OLD_PAGES = { 'pages/hybrid-relay': 'pages/hybrid-call' };

function relativeSpecifier(fromModule, toModule) {
  const rel = path.posix.relative(path.posix.dirname(fromModule), toModule);
  return rel.startsWith('.') ? rel : './' + rel;
}

function writeOldPaths(distDir) {
  for (const [oldPath, newPath] of Object.entries(OLD_MODULES)) {
    const spec = relativeSpecifier(oldPath, newPath);
    const note = `/** @deprecated moved to miniprogram-hybrid-kit/${newPath} (see CHANGELOG.md). */\n`;
    fs.writeFileSync(path.join(distDir, oldPath + '.js'), `${note}module.exports = require('${spec}');\n`);
    fs.writeFileSync(path.join(distDir, oldPath + '.d.ts'), `${note}export * from '${spec}';\n`);
  }
  for (const [oldDir, newDir] of Object.entries(OLD_PAGES)) {
    fs.cpSync(path.join(distDir, newDir), path.join(distDir, oldDir), { recursive: true });
  }
}

module.exports = { OLD_MODULES, OLD_PAGES, writeOldPaths };
