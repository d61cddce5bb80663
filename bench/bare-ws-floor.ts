// What a fan-out costs on this machine with nothing but the sockets: bare-ws-server.ts sends one
// frame to every socket, timed as the benchmarks time their own fan-outs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { WebSocket } from 'ws';
import { openSockets, sleep, withTimeout } from './async-pool.js';

const server = fileURLToPath(new URL('./bare-ws-server.ts', import.meta.url));

/** `runs` broadcasts of `frame` to `connections` sockets; per run, the time to the last socket. */
export async function bareWsFloor(connections: number, frame: string, runs: number) {
  const child = fork(server, [frame], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const sockets = await openSockets(Array(connections).fill(`ws://127.0.0.1:${port}`), 256);
    const lastMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      lastMs.push(await timeToLast(sockets, () => child.send('broadcast')));
      await sleep(200);
    }
    for (const socket of sockets) socket.terminate();
    return lastMs;
  } finally {
    child.kill();
  }
}

/**
 * Triggers one message to every socket; resolves with the time until the last one has it,
 * counted from when `trigger` says the sending began (the number it resolves to), else from the
 * call.
 */
export async function timeToLast(sockets: WebSocket[], trigger: () => unknown): Promise<number> {
  let pending = sockets.length;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    for (const socket of sockets) {
      socket.once('message', () => {
        last = performance.now();
        if (--pending === 0) resolve();
      });
    }
  });
  const called = performance.now();
  const began = await trigger();
  await withTimeout(done, 30_000, () => `${pending} of ${sockets.length} sockets got nothing`);
  return last - (typeof began === 'number' ? began : called);
}
