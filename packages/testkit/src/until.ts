import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` until it holds; fails after `timeoutMs`, naming `what` it waited for. */
export async function until(
  condition: () => boolean,
  what = 'the condition',
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
