// What webhook delivery costs on this machine with nothing but the queue and the POSTs:
// bullmq-post-server.ts adds jobs to BullMQ and a worker POSTs each to a receiver here, timed as
// webhookThroughput times the gateway (first add to last receipt).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './async-pool.js';
import { startReceiver } from './webhook-receiver.js';

const server = fileURLToPath(new URL('./bullmq-post-server.ts', import.meta.url));

/** POSTs per second for `runs` bursts of `deliveries` jobs, after one warm-up burst. */
export async function bullmqPostFloor(redisUrl: string, deliveries: number, runs: number) {
  let received = 0;
  let last = 0;
  const receiver = await startReceiver((_notification, arrived) => {
    received++;
    last = arrived;
  });
  const child = fork(server, [redisUrl, receiver.url], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  try {
    await once(child, 'message');
    const burst = async () => {
      received = 0;
      const started = performance.now();
      child.send({ burst: deliveries });
      await waitFor(() => received === deliveries, 60_000);
      return deliveries / ((last - started) / 1000);
    };
    await burst();
    const perSecond: number[] = [];
    for (let run = 0; run < runs; run++) perSecond.push(await burst());
    return perSecond;
  } finally {
    child.kill();
    await receiver.close();
  }
}
