#!/usr/bin/env node
// Runs every package's tests in one node:test run, so there is exactly one summary.
// Node 20's --test takes no globs, so the file list is built here. Files run one at a time:
// Redis pub/sub is global, and two gateways under test must not hear each other's events.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['apps', 'packages'];
const only = process.argv.slice(2);

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts') && path.includes('/test/')) out.push(path);
  }
  return out;
}

const files = roots
  .flatMap((root) => testFiles(root))
  .filter((file) => only.length === 0 || only.some((pattern) => file.includes(pattern)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    '--conditions=@gw/source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    // A test that hangs fails by name after two minutes instead of stalling the whole run.
    '--test-timeout=120000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
