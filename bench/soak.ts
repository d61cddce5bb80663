// pnpm bench:soak: the gateway's memory under steady mixed load, the way it runs for months.
// One gateway process (as in bench:webhooks), for --minutes (default 10):
//   - webhooks: 50 files, 4 WebhookChannel2023 channels on each spread over 10 receivers, and one
//     more channel on every tenth file to a receiver that never answers (its attempts time out
//     after 2 s, are retried and open its circuit)
//   - Solid WebSocketChannel2023: 50 channels with a socket each on those files, and per round 10
//     more subscribed, connected and deleted again
//   - notify_push clients: 20 connections of the bench user, and per round 10 more that
//     authenticate and are dropped
// In rounds of one change of every file, 200 ms apart. The gateway's RSS is printed every 30 s,
// then what arrived against what was expected. A leak shows as an RSS that keeps climbing; a
// bounded process levels off.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { WebSocket } from 'ws';
import { inPool, openSockets, sleep } from './async-pool.js';
import {
  BENCH_AUTHORIZATION,
  BENCH_USER,
  type BenchFile,
  type GatewaySolid,
  startGatewaySolid,
  subscribe,
} from './gateway-solid.js';
import { subscribeWebhooks, WEBHOOK_ENV } from './gateway-webhooks.js';
import { connectLegacy } from './legacy-client.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
const MINUTES = Number(args.minutes);
const FILES = 50;
const RECEIVERS = 10;
const WEBHOOKS_PER_FILE = 4;
const LEGACY_CLIENTS = 20;
/** Channels and notify_push connections opened and closed again in every round. */
const CHURN = 10;
/** Pause after each round of changes. */
const ROUND_PAUSE_MS = 200;
const REPORT_EVERY_MS = 30_000;

async function main() {
  console.log(
    `bench:soak on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}, ${MINUTES} min`,
  );
  const gateway = await startGatewaySolid({ env: { ...WEBHOOK_ENV, WEBHOOK_TIMEOUT: '2' } });
  let delivered = 0;
  let frames = 0;
  const receivers = await inPool(RECEIVERS, 4, () => startReceiver(() => delivered++));
  const stuck = await startReceiver(() => {}, { answer: false });
  const sockets: WebSocket[] = [];
  try {
    const files = await inPool(FILES, 1, (i) => gateway.file(`soak-${i}.txt`));
    await subscribeAll(gateway, files, receivers, stuck);
    for (const socket of await openSockets(await channelsOn(gateway, files), 8)) {
      socket.on('message', () => frames++);
      sockets.push(socket);
    }
    for (let i = 0; i < LEGACY_CLIENTS; i++) sockets.push(await legacyClient(gateway));
    const mib = () => (gateway.rssBytes() / 2 ** 20).toFixed(1);
    console.log(`  start: RSS ${mib()} MiB`);
    const started = Date.now();
    let changes = 0;
    let churned = 0;
    let nextReport = started + REPORT_EVERY_MS;
    while (Date.now() - started < MINUTES * 60_000) {
      for (const file of files) await file.change();
      changes += files.length;
      churned += await churn(gateway, files[changes % FILES] as BenchFile);
      await sleep(ROUND_PAUSE_MS);
      if (Date.now() >= nextReport) {
        nextReport += REPORT_EVERY_MS;
        const seconds = Math.round((Date.now() - started) / 1000);
        console.log(
          `  ${seconds} s: RSS ${mib()} MiB; webhooks ${delivered} of ${changes * WEBHOOKS_PER_FILE}, ${stuck.requests} requests to the hanging receiver; ${frames} Solid frames; ${churned} channels and connections churned`,
        );
      }
    }
    await sleep(5_000);
    console.log(
      `  end: RSS ${mib()} MiB; webhooks ${delivered} of ${changes * WEBHOOKS_PER_FILE} delivered (${changes} changes)`,
    );
  } finally {
    for (const socket of sockets) socket.terminate();
    await stuck.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await gateway.stop();
  }
}

async function subscribeAll(
  gateway: GatewaySolid,
  files: readonly BenchFile[],
  receivers: readonly WebhookReceiver[],
  stuck: WebhookReceiver,
) {
  for (const [i, file] of files.entries()) {
    const receiver = receivers[i % receivers.length] as WebhookReceiver;
    await subscribeWebhooks(gateway, file.topic, receiver.url, WEBHOOKS_PER_FILE);
    if (i % 10 === 0) await subscribeWebhooks(gateway, file.topic, stuck.url, 1);
  }
}

/** One WebSocketChannel2023 channel per file; resolves to their `receiveFrom` URLs. */
async function channelsOn(gateway: GatewaySolid, files: readonly BenchFile[]) {
  const channels = await inPool(files.length, 8, (i) =>
    subscribe(gateway, 'WebSocketChannel2023', { topic: (files[i] as BenchFile).topic }),
  );
  return channels.map((channel) => channel.receiveFrom as string);
}

/** CHURN channels subscribed, connected and deleted, and CHURN notify_push clients dropped. */
async function churn(gateway: GatewaySolid, file: BenchFile): Promise<number> {
  const channels = await inPool(CHURN, CHURN, () =>
    subscribe(gateway, 'WebSocketChannel2023', { topic: file.topic }),
  );
  const sockets = await openSockets(
    channels.map((channel) => channel.receiveFrom as string),
    CHURN,
  );
  const clients = await inPool(CHURN, CHURN, () => legacyClient(gateway));
  for (const socket of [...sockets, ...clients]) socket.terminate();
  await inPool(CHURN, CHURN, async (i) => {
    const response = await fetch(String(channels[i]?.id), {
      method: 'DELETE',
      headers: { authorization: BENCH_AUTHORIZATION },
    });
    if (!response.ok) throw new Error(`DELETE: ${response.status}`);
  });
  return 2 * CHURN;
}

/** A notify_push client of the bench user, authenticated. */
async function legacyClient(gateway: GatewaySolid): Promise<WebSocket> {
  const url = `${gateway.baseUrl.replace(/^http/, 'ws')}ws`;
  return (await connectLegacy(url, BENCH_USER)).socket;
}

await main();
