// pnpm bench:webhook-soak: the gateway's memory under a steady webhook load, the way it runs for
// months. One gateway process (as in bench:webhooks) with 50 files, 4 WebhookChannel2023
// channels on each spread over 10 receivers, and one more channel on every tenth file to a
// receiver that never answers (its attempts time out after 2 s, are retried and open its
// circuit). Rounds of changes, one of every file, 200 ms apart (about 700 deliveries/s on a
// 2-core machine), for --minutes (default 10); the gateway's RSS is printed every 30 s, then the
// deliveries counted against those expected. A leak shows as an RSS that keeps climbing; a
// bounded process levels off.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { inPool, sleep } from './async-pool.js';
import { startGatewaySolid } from './gateway-solid.js';
import { subscribeWebhooks, WEBHOOK_ENV } from './gateway-webhooks.js';
import { startReceiver } from './webhook-receiver.js';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
const MINUTES = Number(args.minutes);
const FILES = 50;
const RECEIVERS = 10;
const CHANNELS_PER_FILE = 4;
/** Pause after each round of changes (one change of every file). */
const ROUND_PAUSE_MS = 200;
const REPORT_EVERY_MS = 30_000;

async function main() {
  console.log(
    `bench:webhook-soak on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}, ${MINUTES} min`,
  );
  const gateway = await startGatewaySolid({ env: { ...WEBHOOK_ENV, WEBHOOK_TIMEOUT: '2' } });
  let received = 0;
  const receivers = await inPool(RECEIVERS, 4, () => startReceiver(() => received++));
  const stuck = await startReceiver(() => {}, { answer: false });
  try {
    const files = await inPool(FILES, 1, (i) => gateway.file(`soak-${i}.txt`));
    for (const [i, file] of files.entries()) {
      const receiver = receivers[i % RECEIVERS];
      if (receiver) await subscribeWebhooks(gateway, file.topic, receiver.url, CHANNELS_PER_FILE);
      if (i % 10 === 0) await subscribeWebhooks(gateway, file.topic, stuck.url, 1);
    }
    const mib = () => (gateway.rssBytes() / 2 ** 20).toFixed(1);
    console.log(`  start: RSS ${mib()} MiB`);
    const started = Date.now();
    let changes = 0;
    let nextReport = started + REPORT_EVERY_MS;
    while (Date.now() - started < MINUTES * 60_000) {
      for (const file of files) await file.change();
      changes += files.length;
      await sleep(ROUND_PAUSE_MS);
      if (Date.now() >= nextReport) {
        nextReport += REPORT_EVERY_MS;
        const seconds = Math.round((Date.now() - started) / 1000);
        console.log(
          `  ${seconds} s: RSS ${mib()} MiB, ${received} of ${changes * CHANNELS_PER_FILE} delivered, ${stuck.requests} requests to the hanging receiver`,
        );
      }
    }
    await sleep(5_000);
    console.log(
      `  end: RSS ${mib()} MiB; ${received} of ${changes * CHANNELS_PER_FILE} delivered (${changes} changes)`,
    );
  } finally {
    await stuck.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await gateway.stop();
  }
}

await main();
