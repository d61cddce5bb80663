// The child of bullmq-post-floor.ts: BullMQ and undici with nothing of the gateway's, in a
// process of its own. On 'burst', adds that many jobs, each a POST of a notification-sized
// body to the URL it was given; a worker (concurrency 64) sends them.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';

const [redisUrl, url] = process.argv.slice(2) as [string, string];
const prefix = '{bench-floor}';
const body = JSON.stringify({ type: 'Update', state: '"x"', pad: 'x'.repeat(300) });
const agent = new Agent();
const queue = new Queue('floor', {
  connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
  prefix,
  defaultJobOptions: { removeOnComplete: { age: 3600 } },
});
const worker = new Worker(
  'floor',
  async () => {
    const response = await request(url, {
      method: 'POST',
      body,
      dispatcher: agent,
      headers: { 'content-type': 'application/ld+json' },
    });
    await response.body.text();
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 64 },
);
await worker.waitUntilReady();
let bursts = 0;
process.on('message', (message: { burst: number }) => {
  const name = ++bursts;
  for (let i = 0; i < message.burst; i++) {
    void queue.add('post', { i }, { jobId: `b${name}-${i}` });
  }
});
process.send?.('ready');
