// Small async helpers shared by the benchmark scripts.
import { once } from 'node:events';
import { WebSocket } from 'ws';

/** Runs `task` `count` times with at most `concurrency` at once; results in call order. */
export async function inPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Opens a WebSocket to each URL, `concurrency` handshakes at a time. */
export function openSockets(urls: readonly string[], concurrency: number): Promise<WebSocket[]> {
  return inPool(urls.length, concurrency, async (index) => {
    const socket = new WebSocket(urls[index] as string, { perMessageDeflate: false });
    await once(socket, 'open');
    // A socket dropped later shows up as a run that times out, not as an uncaught error.
    socket.on('error', () => undefined);
    return socket;
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `call(i)` `count` times at `rate` per second, on schedule, and waits for them all. */
export async function paced(
  count: number,
  rate: number,
  call: (i: number) => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(started + (i * 1000) / rate - performance.now());
    const result = call(i);
    // Reported by the Promise.all below; until then a rejection must not count as unhandled.
    result.catch(() => undefined);
    calls.push(result);
  }
  await Promise.all(calls);
}
