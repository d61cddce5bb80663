import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { WebhookConfig } from '@gw/config';
import type { WebhookDelivery, WebhookOptions, WebhookSender } from '@gw/delivery-solid';
import {
  AddressPolicy,
  attemptDelivery,
  generateWebhookSecret,
  type HostLookup,
  type RedisTarget,
  type RetryScheduleOptions,
  SafeDispatcher,
  WebhookQueue,
  WebhookWorker,
} from '@gw/delivery-webhook';
import type { Logger } from 'pino';
import { GATEWAY_VERSION } from './version.js';

/** What deliveries need to know about the channels they are for. */
export interface WebhookChannels {
  /** Whether the channel still wants deliveries (a deleted one's queued jobs are dropped). */
  isActive(id: string): boolean | Promise<boolean>;
  /** Its Standard Webhooks secret, looked up at each attempt so no job carries one. */
  secretOf(id: string): string | undefined | Promise<string | undefined>;
  /** The receiver answered 410 Gone. */
  end(id: string): Promise<unknown>;
  /** The destination failed for the whole disable period; resolves to the channels ended. */
  endDestination(url: string): Promise<number>;
}

export interface WebhookDeliveryOptions {
  config: WebhookConfig;
  redis: RedisTarget;
  logger: Logger;
  /** Who sends: the `sender` of subscription responses, and its credentials for each attempt. */
  sender: Pick<WebhookSender, 'webId' | 'headersFor'>;
  /** Timings the tests shrink; production uses the defaults. */
  tuning?: WebhookTuning;
  /** Told of each delivery and how long after the event it arrived, for the latency metric. */
  onDelivered?: (latencyMs: number) => void;
}

/** What the worker of this process did, for the metrics. */
export interface WebhookStats {
  delivered: number;
  /** Attempts that failed and will be tried again. */
  retried: number;
  /** Attempts that failed for good (a 4xx, a refused destination, retries used up). */
  failed: number;
  /** Channels ended because their receiver answered 410 Gone. */
  gone: number;
  /** Channels ended because their destination failed for the whole disable period. */
  disabled: number;
}

/** The worker's timers and the overload penalty, which run too slow for a test. */
export interface WebhookTuning {
  retry?: Pick<RetryScheduleOptions, 'overloadMinimumMs' | 'jitter'>;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  circuitBreakerCooldownMs?: number;
  /** Resolves destination host names (tests answer with private addresses). */
  lookup?: HostLookup;
  /** Extra CAs the receivers' certificates may chain to (a test CA). */
  ca?: readonly (string | Buffer)[];
}

/**
 * WebhookChannel2023 delivery: the BullMQ queue every replica adds to, and (unless turned off)
 * a worker in this process. Destinations are checked twice: at subscribe time, for a clear 422,
 * and at every connect, on the addresses actually connected to, which is what makes it safe.
 */
export function createWebhookDelivery(options: WebhookDeliveryOptions) {
  const { config, logger, tuning } = options;
  const policy = new AddressPolicy({ allow: config.allowedDestinations });
  const lookup: HostLookup =
    tuning?.lookup ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  const retry = { delaysMs: config.retryScheduleMs, ...tuning?.retry };
  const queue = new WebhookQueue({ redis: options.redis, logger, retry });
  const stats: WebhookStats = { delivered: 0, retried: 0, failed: 0, gone: 0, disabled: 0 };

  const solidOptions: WebhookOptions = {
    sender: options.sender.webId,
    newSecret: generateWebhookSecret,
    refusal: (sendTo) => destinationRefusal(sendTo, policy, lookup),
    enqueue: (delivery: WebhookDelivery) => queue.enqueue(delivery),
  };

  const startWorker = (channels: WebhookChannels): WebhookWorker => {
    const dispatcher = new SafeDispatcher({ policy, lookup, ca: tuning?.ca });
    return new WebhookWorker({
      redis: options.redis,
      logger,
      retry,
      disableAfterMs: config.disableAfterMs,
      lockDurationMs: tuning?.lockDurationMs,
      stalledIntervalMs: tuning?.stalledIntervalMs,
      circuitBreakerCooldownMs: tuning?.circuitBreakerCooldownMs,
      attempt: async (message, signal) => {
        const [secret, headers] = await Promise.all([
          channels.secretOf(message.subscriptionId),
          options.sender.headersFor(message.url),
        ]);
        return attemptDelivery(
          { ...message, headers, ...(secret === undefined ? {} : { secret }) },
          {
            dispatcher,
            signal,
            timeoutMs: config.timeoutMs,
            userAgent: `notify-gateway/${GATEWAY_VERSION}`,
          },
        );
      },
      hooks: {
        isActive: (id) => channels.isActive(id),
        onGone: async (id) => {
          logger.info({ channelId: id }, 'webhook receiver answered 410 Gone, ending its channel');
          stats.gone++;
          await channels.end(id);
        },
        onDisabled: async (url) => {
          logger.warn(
            { origin: new URL(url).origin },
            'webhook destination kept failing, ending its channels',
          );
          stats.disabled += await channels.endDestination(url);
        },
        onAttempt: (message, outcome, attempt) => {
          if (outcome.kind === 'delivered') {
            stats.delivered++;
            options.onDelivered?.(Date.now() - message.createdAt);
          } else if (outcome.kind === 'retry' && attempt <= config.retryScheduleMs.length) {
            stats.retried++;
          } else stats.failed++;
        },
      },
    });
  };

  return { queue, stats, solidOptions, startWorker };
}

/**
 * Why a `sendTo` is refused at subscribe time: https only, unless every address it resolves to
 * is allow-listed (a development receiver on loopback), and no address the SSRF guard refuses.
 */
async function destinationRefusal(
  sendTo: string,
  policy: AddressPolicy,
  lookup: HostLookup,
): Promise<string | undefined> {
  const url = new URL(sendTo);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host)).map((entry) => entry.address);
  } catch {
    return `${host} cannot be resolved`;
  }
  const refused = addresses.map((address) => policy.refusal(address)).find(Boolean);
  if (refused !== undefined) return refused;
  if (url.protocol !== 'https:' && !addresses.every((address) => policy.isAllowListed(address))) {
    return 'it must be an https:// URL (plain http only to allow-listed destinations)';
  }
  return undefined;
}

export type WebhookDeliverySetup = ReturnType<typeof createWebhookDelivery>;
