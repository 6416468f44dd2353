#!/usr/bin/env node
/**
 * Compiles every WXML and WXSS file of the mini program package with the official compilers
 * (`wcc`/`wcsc` from miniprogram-compiler) and checks each component's JSON, so a file DevTools
 * would refuse fails here first, with the compiler's own message naming the file.
 *
 *   node tools/check-wxml.js [dir]      (default: miniprogram_dist; also `npm run check:mp`)
 *
 * Components are discovered from the directory (every `<x>.json` with `"component": true`), so new
 * components are covered without touching this file.
 */
const fs = require('fs');
const path = require('path');
const config = require('./config');

// The package's wxssToJs returns (instead of throwing) wcsc's error and then fails on it with an
// unrelated TypeError, so the two compiler wrappers are called directly.
const compileWxml = require('miniprogram-compiler/src/wcc');
const compileWxss = require('miniprogram-compiler/src/wcsc');

/** Relative paths (with '/' separators) of the files under `root` ending in `ext`, sorted. */
function listFiles(root, ext) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(ext)) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const stripExt = (file) => file.slice(0, file.length - path.extname(file).length);

/** Component paths without extension (`components/<name>/index`): JSON files with `"component": true`. */
function findComponents(root) {
  return listFiles(root, '.json')
    .filter((file) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')).component === true;
      } catch {
        return false; // reported by checkComponentJson
      }
    })
    .map(stripExt);
}

/**
 * Where DevTools finds a `usingComponents` target: relative to the JSON file, from the project root
 * for '/x', otherwise in the nearest miniprogram_npm (the JSON's directory, then its parents).
 * Returns the path without extension, or null when nothing is there.
 */
function resolveComponent(root, jsonFile, target) {
  const dir = path.dirname(path.join(root, jsonFile));
  const found = (base) => {
    if (fs.existsSync(base + '.json')) return base;
    return fs.existsSync(path.join(base, 'index.json')) ? path.join(base, 'index') : null;
  };
  if (target.startsWith('.')) return found(path.join(dir, target));
  if (target.startsWith('/')) return found(path.join(root, target));
  for (let d = dir; ; d = path.dirname(d)) {
    const hit = found(path.join(d, 'miniprogram_npm', target));
    if (hit) return hit;
    const fromRoot = path.relative(root, d);
    if (!fromRoot || fromRoot.startsWith('..')) return null; // searched up to the project root
  }
}

/**
 * Problems in the JSON files: unreadable JSON, components without their js/wxml, our conventions
 * (apply-shared; with `libraryRules`, relative usingComponents only, as 构建npm consumers need),
 * and usingComponents that resolve to nothing.
 */
function checkComponentJson(root, { libraryRules = true } = {}) {
  const problems = [];
  for (const file of listFiles(root, '.json')) {
    let json;
    try {
      json = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
    } catch (err) {
      problems.push(`${file}: not valid JSON (${err.message})`);
      continue;
    }
    if (json.component === true) {
      const base = stripExt(file);
      for (const ext of ['.js', '.wxml']) {
        if (!fs.existsSync(path.join(root, base + ext))) problems.push(`${file}: component has no ${base}${ext}`);
      }
      if (json.styleIsolation !== 'apply-shared') problems.push(`${file}: "styleIsolation" must be "apply-shared"`);
    }
    for (const [tag, target] of Object.entries(json.usingComponents || {})) {
      if (typeof target !== 'string' || (libraryRules && json.component === true && !target.startsWith('.'))) {
        // Inside the library only relative paths work for 构建npm consumers.
        problems.push(`${file}: usingComponents "${tag}" must be a relative path (got ${JSON.stringify(target)})`);
      } else if (!target.startsWith('plugin://') && !resolveComponent(root, file, target)) {
        problems.push(`${file}: usingComponents "${tag}" points to a missing component ${target}`);
      }
    }
  }
  return problems;
}

/**
 * Runs every check on `root`. Resolves to counts; throws an Error whose message lists each
 * problem (compiler messages included) when anything fails.
 */
function checkMiniprogram(root = config.mpDist, options = {}) {
  if (!fs.existsSync(root)) throw new Error(`${root} does not exist: run the build first`);
  const problems = checkComponentJson(root, options);

  const wxml = listFiles(root, '.wxml');
  const wxs = listFiles(root, '.wxs');
  if (wxml.length) {
    // wcc needs the whole list at once (imports, templates, wxs modules); its error names file:line.
    try {
      compileWxml(root, wxml.map(stripExt), wxs, { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      problems.push(err.message.trim());
    }
  }

  // One wcsc run per file, so every broken stylesheet is named, not only the first.
  const wxss = listFiles(root, '.wxss');
  for (const file of wxss) {
    const result = compileWxss(root, [stripExt(file)], { maxBuffer: 16 * 1024 * 1024 });
    if (result instanceof Error) problems.push(result.message.trim());
  }

  if (problems.length) {
    const err = new Error(`mini program check failed in ${root}:\n- ${problems.join('\n- ')}`);
    err.problems = problems;
    throw err;
  }
  return { components: findComponents(root), wxml: wxml.length, wxss: wxss.length, wxs: wxs.length };
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] || config.mpDist);
  try {
    // A mini program project (the demo) may use npm paths in its own components.
    const r = checkMiniprogram(root, { libraryRules: !fs.existsSync(path.join(root, 'app.json')) });
    console.log(`check:mp ok: ${r.components.length} components, ${r.wxml} wxml, ${r.wxss} wxss, ${r.wxs} wxs compiled in ${path.relative(process.cwd(), root) || '.'}`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}

module.exports = { checkMiniprogram, findComponents, listFiles, resolveComponent };
