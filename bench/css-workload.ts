// The bench:solid workload run against Community Solid Server (css-server.ts): subscriptions per
// second, fan-out of one change to many WebSocketChannel2023 sockets, and webhook latency. The
// gateway side gets the same numbers of channels, runs and events. Every result is plain numbers.
import type { WebSocket } from 'ws';
import { inPool, openSockets, paced, sleep, waitFor, withTimeout } from './async-pool.js';
import type { CssServer } from './css-server.js';
import { percentile } from './percentile.js';
import { parseNotification, startReceiver } from './webhook-receiver.js';

const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
// CSS's local context: under it only full type IRIs resolve (reference/solid.md §1.1).
const CONTEXT = 'https://www.w3.org/ns/solid/notification/v1';

export interface SubscriptionsOptions {
  /** Subscriptions timed. */
  count: number;
  /** Subscription POSTs in flight. */
  concurrency: number;
  /** Subscriptions made first and not timed. @defaultValue 20 */
  warmup?: number;
}

export interface SubscriptionsResult {
  /** 200 answers per second over the timed part. */
  perSecond: number;
  ok: number;
  failed: number;
  seconds: number;
}

export interface FanoutOptions {
  /** WebSocketChannel2023 channels on the one topic, one socket each. */
  channels: number;
  /** PUTs of the topic, each waited for on every socket before the next. */
  runs: number;
}

export interface FanoutResult {
  /** Per run: from just before the PUT to the last socket's notification. */
  lastMs: number[];
  p50Ms: number;
  p99Ms: number;
  /** CSS's RSS after the last run, every channel and socket still open. */
  rssBytes: number;
}

export interface WebhookOptions {
  /** Events timed. */
  events: number;
  /** PUTs started per second, on schedule whether or not earlier ones have answered. */
  ratePerSecond: number;
  /** Events sent first at the same rate and not timed. @defaultValue 10 */
  warmup?: number;
}

export interface WebhookResult {
  /** From the start of the PUT to the webhook POST's arrival at the receiver. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  received: number;
  sent: number;
  /** PUTs that failed (CSS did not accept the connection in time, or answered an error). */
  failedPuts: number;
  /** PUTs answered per second, first start to last answer: below the rate, CSS fell behind. */
  achievedPerSecond: number;
}

/** POSTs WebSocketChannel2023 subscriptions on one topic, `concurrency` at a time. */
export async function cssSubscriptionsPerSecond(
  css: Pick<CssServer, 'baseUrl'>,
  { count, concurrency, warmup = 20 }: SubscriptionsOptions,
): Promise<SubscriptionsResult> {
  const topic = await putText(css, `bench/subscribe-${Date.now()}`, 'topic');
  const subscribeOnce = async () => {
    const response = await postChannel(css, 'WebSocketChannel2023', { topic });
    await response.arrayBuffer();
    return response.status;
  };
  await inPool(warmup, concurrency, subscribeOnce);
  const started = performance.now();
  const statuses = await inPool(count, concurrency, subscribeOnce);
  const seconds = (performance.now() - started) / 1000;
  const ok = statuses.filter((status) => status === 200).length;
  return { perSecond: ok / seconds, ok, failed: count - ok, seconds };
}

/** `channels` sockets on one topic; `runs` PUTs, each timed until the last socket has it. */
export async function cssFanout(
  css: CssServer,
  { channels, runs }: FanoutOptions,
): Promise<FanoutResult> {
  // The topic exists first, so every run is an Update and no run sees the Create.
  const topic = await putText(css, `bench/fanout-${Date.now()}`, 'run -1');
  const receiveFrom = await inPool(channels, 8, async () => {
    const response = await postChannel(css, 'WebSocketChannel2023', { topic });
    return (JSON.parse(await expectOk(response, 'subscribe')) as { receiveFrom: string })
      .receiveFrom;
  });
  const sockets = await openSockets(receiveFrom, 32);
  try {
    const lastMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      lastMs.push(await fanoutRun(topic, sockets, run));
      // A pause as between bench:legacy's rounds, so one run's leftovers (GC) stay out of the next.
      await sleep(200);
    }
    const rssBytes = await css.rssBytes();
    return { lastMs, p50Ms: percentile(lastMs, 50), p99Ms: percentile(lastMs, 99), rssBytes };
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

/**
 * One PUT; resolves with the time until every socket got its Update of the topic. Nothing else
 * is in flight (the previous run waited for all sockets), so any Update now belongs to this run.
 */
async function fanoutRun(topic: string, sockets: WebSocket[], run: number) {
  let pending = sockets.length;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    for (const socket of sockets) {
      const onMessage = (data: Buffer) => {
        const message = parseNotification(data.toString());
        if (message?.type !== 'Update' || message.object !== topic) return;
        socket.off('message', onMessage);
        last = performance.now();
        if (--pending === 0) resolve();
      };
      socket.on('message', onMessage);
    }
  });
  const started = performance.now();
  const put = fetch(topic, textPut(`run ${run}`)).then((response) => expectOk(response, 'PUT'));
  await withTimeout(
    Promise.all([put, done]),
    30_000,
    () => `fan-out run ${run}: ${pending} of ${sockets.length} sockets got nothing`,
  );
  return last - started;
}

/**
 * One WebhookChannel2023 on a container; each event creates a resource in it, so each webhook
 * (an Add whose object is that resource) names its own event even when PUTs overlap: CSS puts no
 * ETag on PUT answers, and Updates of one topic can carry a later write's state.
 */
export async function cssWebhookLatency(
  css: Pick<CssServer, 'baseUrl'>,
  { events, ratePerSecond, warmup = 10 }: WebhookOptions,
): Promise<WebhookResult> {
  const container = await putContainer(css, `bench/webhook-${Date.now()}/`);
  const published = new Map<string, number>();
  const latencies = new Map<string, number>();
  let failedPuts = 0;
  const receiver = await startReceiver(({ object }, arrived) => {
    const start = object === undefined ? undefined : published.get(object);
    if (object !== undefined && start !== undefined) latencies.set(object, arrived - start);
  });
  try {
    const channel = await postChannel(css, 'WebhookChannel2023', {
      topic: container,
      sendTo: receiver.url,
    });
    await expectOk(channel, 'subscribe');
    // Not timed: the first writes are slow while V8 warms up; `published` does not know them.
    await paced(warmup, ratePerSecond, async (i) =>
      expectOk(await fetch(`${container}warmup-${i}`, textPut('warm-up')), 'PUT'),
    );
    const resources = Array.from({ length: events }, (_, i) => `${container}event-${i}`);
    const started = performance.now();
    await paced(events, ratePerSecond, (i) => {
      const resource = resources[i] as string;
      published.set(resource, performance.now());
      // A PUT CSS does not answer in time (it falls behind) is counted, not fatal.
      return fetch(resource, textPut(`event ${i}`))
        .then((res) => expectOk(res, 'PUT'))
        .catch(() => failedPuts++);
    });
    const achievedPerSecond = events / ((performance.now() - started) / 1000);
    // CSS never retries a webhook, so one still missing after 10 s is lost; `received` says so.
    await waitFor(() => latencies.size === events, 10_000).catch(() => undefined);
    const values = [...latencies.values()];
    return {
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
      maxMs: Math.max(...values),
      received: values.length,
      sent: events,
      failedPuts,
      achievedPerSecond,
    };
  } finally {
    await receiver.close();
  }
}

function postChannel(css: Pick<CssServer, 'baseUrl'>, type: string, fields: object) {
  return fetch(`${css.baseUrl}.notifications/${type}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json' },
    body: JSON.stringify({ '@context': [CONTEXT], type: `${NOTIFY}${type}`, ...fields }),
  });
}

async function putText(css: Pick<CssServer, 'baseUrl'>, path: string, text: string) {
  const url = `${css.baseUrl}${path}`;
  await expectOk(await fetch(url, textPut(text)), `PUT ${url}`);
  return url;
}

async function putContainer(css: Pick<CssServer, 'baseUrl'>, path: string) {
  const url = `${css.baseUrl}${path}`;
  // No Content-Type: with one, CSS warns that it ignores the (empty) body of a container.
  const response = await fetch(url, { method: 'PUT' });
  await expectOk(response, `PUT ${url}`);
  return url;
}

function textPut(text: string): RequestInit {
  return { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: text };
}

/** The body, read in full so the connection is reused; throws with CSS's answer unless 2xx. */
async function expectOk(response: Response, what: string): Promise<string> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${body}`);
  return body;
}
