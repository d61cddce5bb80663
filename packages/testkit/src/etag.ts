import { createHash, randomBytes } from 'node:crypto';

let lastMicros = 0;

/**
 * PHP's `uniqid()`, which Nextcloud uses for folder etags and for the one etag propagation gives
 * every ancestor: 8 hex digits of seconds and 5 of microseconds. PHP sleeps a microsecond to
 * keep successive values distinct; counting up past the previous value does the same.
 */
export function uniqid(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
  const seconds = Math.floor(lastMicros / 1_000_000);
  const micros = lastMicros % 1_000_000;
  return `${seconds.toString(16).padStart(8, '0')}${micros.toString(16).padStart(5, '0')}`;
}

/**
 * A file etag as local storage computes it, `md5(mtime . inode . device . size)`. The simulated
 * storage has no inodes; random bytes stand in for them, as every write produces a new file.
 */
export function fileEtag(mtime: number, size: number): string {
  return createHash('md5')
    .update(`${mtime}${randomBytes(8).toString('hex')}${size}`)
    .digest('hex');
}
