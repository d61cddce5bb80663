// The gateway's WebhookChannel2023 side of bench:webhooks: channels of the bench user delivering
// to node:http receivers in the bench process (webhook-receiver.ts), the gateway and the changes
// as in bench:solid (gateway-solid.ts: its own process, changes made as Nextcloud makes them).
import { inPool, paced, waitFor } from './async-pool.js';
import {
  type BenchFile,
  type GatewaySolid,
  NOTIFY,
  StateLatencies,
  subscribe,
} from './gateway-solid.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

/** The gateway's settings for these workloads (startGatewaySolid's `env`). */
export const WEBHOOK_ENV = {
  // The receivers are on loopback, which the SSRF guard refuses unless it is allow-listed.
  WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.0/8',
  // The longest wait allowed: requests to a destination that never answers stay open through a
  // whole measurement and pile up, as with a receiver that hangs, instead of timing out.
  WEBHOOK_TIMEOUT: '30',
};

/** Throughput bursts run so far in this process. */
let bursts = 0;

/** Files changed, and their deliveries waited for, before a throughput burst is timed. */
const WARMUP_FILES = 10;

export interface ThroughputOptions {
  /** Files, each changed once in the burst. */
  files: number;
  /** Webhook channels on each file; a change is one delivery per channel. */
  channelsPerFile: number;
  /** Receivers, each its own origin; a file's channel i delivers to receiver i mod this. */
  destinations: number;
}

export interface ThroughputResult {
  /** Deliveries received per second, from the first publish to the last receipt. */
  perSecond: number;
  received: number;
  seconds: number;
}

export interface LatencyOptions {
  /** Changes timed. */
  events: number;
  /** Changes published per second, on schedule. */
  rate: number;
  /** Also a channel on the same file to a receiver that never answers. @defaultValue false */
  hanging?: boolean;
  /** Changes made first at the same rate and not timed (as cssWebhookLatency's). @defaultValue 10 */
  warmup?: number;
}

export interface LatencyResult {
  /** Per change: from just before its publish to its POST's arrival (see StateLatencies). */
  latencies: number[];
  /** POSTs the hanging receiver got, and how many of them were still open at the end. */
  hanging?: { requests: number; open: number };
}

/** `count` WebhookChannel2023 channels on `topic`, each delivering to `sendTo`. */
export function subscribeWebhooks(
  gateway: GatewaySolid,
  topic: string,
  sendTo: string,
  count: number,
) {
  return inPool(count, 8, () =>
    subscribe(gateway, 'WebhookChannel2023', { topic, [`${NOTIFY}sendTo`]: sendTo }),
  );
}

/**
 * Deliveries per second: `files` files with `channelsPerFile` channels each, then one change of
 * every file, published back to back. Each change is announced (no two changes of one file meet
 * in the gateway, where they would be merged into one announcement of the newest state), so the
 * burst is exactly files × channelsPerFile deliveries, and the gateway reads and serializes each
 * change once for all its channels: the figure is the webhook pipeline's (queue, worker, signed
 * POSTs), not the cost of reading changes.
 */
export async function webhookThroughput(
  gateway: GatewaySolid,
  { files, channelsPerFile, destinations }: ThroughputOptions,
): Promise<ThroughputResult> {
  let received = 0;
  let lastArrival = 0;
  const receivers = await inPool(destinations, 8, () =>
    startReceiver((_notification, arrived) => {
      received++;
      lastArrival = arrived;
    }),
  );
  try {
    // One at a time: the simulated Nextcloud's writes take a pooled connection and then more.
    // Files of their own: earlier bursts' channels deliver to receivers that are closed now.
    const name = `throughput-${++bursts}`;
    const burst = await inPool(files, 1, (i) => gateway.file(`${name}-${i}.txt`));
    await inPool(files * channelsPerFile, 8, (i) => {
      const receiver = receivers[(i % channelsPerFile) % destinations] as WebhookReceiver;
      const topic = (burst[Math.floor(i / channelsPerFile)] as BenchFile).topic;
      return subscribe(gateway, 'WebhookChannel2023', { topic, [`${NOTIFY}sendTo`]: receiver.url });
    });
    // Not timed: opens the worker's connections to the receivers and lets V8 compile the path.
    const warmup = burst.slice(0, WARMUP_FILES);
    await changeAll(warmup);
    await waitUntil(() => received === warmup.length * channelsPerFile, 'the warm-up');
    received = 0;
    const firstPublish = await changeAll(burst);
    const expected = files * channelsPerFile;
    await waitUntil(
      () => received >= expected,
      () => `${expected - received} of ${expected} deliveries`,
    );
    const seconds = (lastArrival - firstPublish) / 1000;
    return { perSecond: received / seconds, received, seconds };
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }
}

/** Changes each file once, one after the other; resolves to the time of the first publish. */
async function changeAll(files: readonly BenchFile[]): Promise<number> {
  let first = 0;
  for (const file of files) await file.change((at) => (first ||= at));
  return first;
}

/** A minute for what should take seconds; the error says what never arrived. */
function waitUntil(condition: () => boolean, what: string | (() => string)) {
  return waitFor(condition, 60_000).catch(() => {
    throw new Error(`never arrived: ${typeof what === 'string' ? what : what()}`);
  });
}

/**
 * One channel on `file` to a receiver answering at once; `events` changes at `rate` per second.
 * With `hanging`, a second channel on the same file delivers every change to a receiver that
 * never answers, so the two destinations get the same event rate.
 */
export async function webhookLatency(
  gateway: GatewaySolid,
  file: BenchFile,
  { events, rate, hanging = false, warmup = 10 }: LatencyOptions,
): Promise<LatencyResult> {
  const latencies = new StateLatencies();
  const receiver = await startReceiver(({ state }, arrived) => latencies.arrived(state, arrived));
  const stuck = hanging ? await startReceiver(() => {}, { answer: false }) : undefined;
  try {
    await subscribeWebhooks(gateway, file.topic, receiver.url, 1);
    if (stuck) await subscribeWebhooks(gateway, file.topic, stuck.url, 1);
    // Not timed, and not tracked: their states are older than any timed change's.
    await paced(warmup, rate, () => file.change());
    await paced(events, rate, () => file.change(latencies.published));
    await latencies.all(events);
    return {
      latencies: latencies.values,
      ...(stuck && { hanging: { requests: stuck.requests, open: stuck.hanging } }),
    };
  } finally {
    // The hanging one first: its open requests then fail at once, not at the gateway's stop.
    await stuck?.close();
    await receiver.close();
  }
}
