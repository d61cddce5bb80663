import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** A fresh directory for one test file's fixtures, removed when the file's tests end. */
export function tempDir(): { dir: string; write(name: string, content: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
  };
}

/** An assert.throws matcher for a ConfigError with `key` whose message matches `message`. */
export function configError(key: string, message?: RegExp) {
  return (error: unknown): boolean => {
    const { key: actualKey, name, message: text } = error as { key?: string } & Error;
    if (name !== 'ConfigError') return false;
    if (actualKey !== key) throw new Error(`expected key ${key}, got ${actualKey}: ${text}`);
    if (message && !message.test(text)) throw new Error(`unexpected message: ${text}`);
    if (text.includes('\n')) throw new Error(`message is not one line: ${text}`);
    return true;
  };
}
