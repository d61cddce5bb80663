#!/usr/bin/env node
// Copies what `docker build` would send as the build context: every file under <context> that
// <context>/.dockerignore does not exclude. Docker's rules, not git's: a pattern is relative to
// the context root, `**` spans any number of directories, a pattern that matches a directory
// excludes everything below it, the last matching line wins and `!` re-includes.
// Usage: node infra/build-context.mjs <context> <destination>
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';

const [context, destination] = process.argv.slice(2);
if (context === undefined || destination === undefined) {
  console.error('usage: node infra/build-context.mjs <context> <destination>');
  process.exit(2);
}

/** One .dockerignore line as a whole-path regular expression. */
function toRegExp(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` may match no directory at all; a trailing `**` matches the rest of the path.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i]}`;
    else source += char.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const ignoreFile = join(context, '.dockerignore');
const rules = (existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const include = line.startsWith('!');
    const pattern = (include ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    return { include, regExp: toRegExp(pattern) };
  });
const anyReinclude = rules.some((rule) => rule.include);

/** Whether the last rule matching `path` or one of its parent directories excludes it. */
function excluded(path) {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let result = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regExp.test(candidate))) result = !rule.include;
  }
  return result;
}

let files = 0;
function copy(relative) {
  const from = join(context, relative);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const isExcluded = excluded(path);
    // Without `!` lines nothing below an excluded directory can come back, so skip it whole.
    if (isExcluded && (!entry.isDirectory() || !anyReinclude)) continue;
    const to = join(destination, path);
    if (entry.isDirectory()) {
      copy(path);
    } else if (entry.isSymbolicLink()) {
      mkdirSync(join(to, '..'), { recursive: true });
      symlinkSync(readlinkSync(join(context, path)), to);
      files++;
    } else if (entry.isFile()) {
      mkdirSync(join(to, '..'), { recursive: true });
      copyFileSync(join(context, path), to);
      files++;
    }
  }
}

mkdirSync(destination, { recursive: true });
copy('');
console.log(`build context: ${files} files`);
