import type { LegacyStats } from '@gw/delivery-legacy';
import type { WebhookQueueCounts } from '@gw/delivery-webhook';
import type { RedisIngestState, RedisIngestStats } from '@gw/ingest';
import type { StorageMappingStats } from '@gw/nextcloud';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { upstreamMetrics, upstreamMetricsText } from './upstream-metrics.js';
import type { WebhookStats } from './webhook-delivery.js';

/** Where the gateway's own counters live; read when Prometheus scrapes. */
export interface GatewayMetricSources {
  ingest: { readonly state: RedisIngestState; readonly stats: RedisIngestStats };
  mapping: { readonly stats: StorageMappingStats };
  legacy: { readonly stats: LegacyStats };
  /** Solid Notifications, when on. */
  solid?: { readonly stats: { channels: number; sockets: number; notificationsSent: number } };
  /** Webhook delivery, when Solid is on: this process's worker, and the shared queue. */
  webhooks?: { readonly stats: WebhookStats; counts(): Promise<WebhookQueueCounts> };
}

const MESSAGE_TYPES = ['file', 'activity', 'notification', 'custom'] as const;

/**
 * The gateway's Prometheus metrics (reference/ecosystem.md §6.1: `gw_` prefix, base units,
 * counters ending in `_total`), on a registry of its own so several gateways in one process
 * (tests) do not share series. Most values are read from the parts' own counters at scrape time.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #sources: GatewayMetricSources;
  readonly #handshake: Histogram<'outcome'>;
  readonly #webhookDelivery: Histogram;

  constructor(sources: GatewayMetricSources) {
    this.#sources = sources;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gw_' });
    new Gauge({
      name: 'gw_redis_subscribed',
      help: '1 while the Redis subscriber is subscribed to every notify_* channel, else 0',
      registers,
      collect() {
        this.set(sources.ingest.state === 'subscribed' ? 1 : 0);
      },
    });
    counter(
      registers,
      'gw_redis_reconnects_total',
      'Times the Redis subscription was restored',
      () => sources.ingest.stats.reconnects,
    );
    counter(
      registers,
      'gw_ingest_messages_total',
      'Redis messages received, valid or not',
      () => sources.ingest.stats.received,
    );
    counter(
      registers,
      'gw_ingest_invalid_total',
      'Redis messages dropped as undecodable',
      () => sources.ingest.stats.invalid,
    );
    counter(
      registers,
      'gw_mapping_queries_total',
      'Storage mapping database queries',
      () => sources.mapping.stats.queries,
    );
    counter(
      registers,
      'gw_mapping_cache_hits_total',
      'Storage mapping lookups answered fresh from the cache',
      () => sources.mapping.stats.hits,
    );
    counter(
      registers,
      'gw_mapping_cache_stale_hits_total',
      'Storage mapping lookups answered from an expired entry',
      () => sources.mapping.stats.staleHits,
    );
    counter(
      registers,
      'gw_mapping_errors_total',
      'Storage mapping database queries that failed',
      () => sources.mapping.stats.errors,
    );
    new Gauge({
      name: 'gw_ws_connections',
      help: 'Authenticated WebSocket connections open now',
      labelNames: ['protocol'],
      registers,
      collect() {
        this.set({ protocol: 'notify_push' }, sources.legacy.stats.activeConnections);
        if (sources.solid) this.set({ protocol: 'solid' }, sources.solid.stats.sockets);
      },
    });
    if (sources.solid) solidMetrics(registers, sources.solid);
    if (sources.webhooks) webhookMetrics(registers, sources.webhooks);
    this.#webhookDelivery = new Histogram({
      name: 'gw_webhook_delivery_seconds',
      help: 'From the event to the webhook receiver accepting it, retries included',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3_600, 36_000],
      registers,
    });
    new Counter({
      name: 'gw_ws_messages_sent_total',
      help: 'Messages sent to notify_push clients after debouncing, by type',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        const sent = sources.legacy.stats.messagesSent;
        for (const type of MESSAGE_TYPES) this.inc({ type }, sent[type]);
      },
    });
    counter(
      registers,
      'gw_ws_handshake_failures_total',
      'Handshakes that ended in an error frame',
      () => sources.legacy.stats.handshakeFailures,
    );
    this.#handshake = new Histogram({
      name: 'gw_ws_handshake_duration_seconds',
      help: "Time from a client's credentials to Nextcloud's verdict on them",
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** The `/metrics` body: upstream's lines exactly, then the gateway's own series. */
  async render(): Promise<{ contentType: string; body: string }> {
    const upstream = upstreamMetricsText(upstreamMetrics(this.#sources));
    return {
      contentType: this.registry.contentType,
      body: `${upstream}\n${await this.registry.metrics()}`,
    };
  }

  observeWebhookDelivery(latencyMs: number): void {
    this.#webhookDelivery.observe(latencyMs / 1000);
  }

  /** Times one credential check of the handshake, labelled by how it ended. */
  async timeHandshake<T>(check: Promise<T>): Promise<T> {
    const end = this.#handshake.startTimer();
    try {
      const result = await check;
      end({ outcome: 'authenticated' });
      return result;
    } catch (err) {
      end({ outcome: 'refused' });
      throw err;
    }
  }
}

function solidMetrics(registers: Registry[], solid: NonNullable<GatewayMetricSources['solid']>) {
  new Gauge({
    name: 'gw_solid_channels',
    help: 'Live Solid notification channels (all replicas: every replica indexes every channel)',
    registers,
    collect() {
      this.set(solid.stats.channels);
    },
  });
  counter(
    registers,
    'gw_solid_notifications_sent_total',
    'Solid notifications written to receiver sockets of this replica',
    () => solid.stats.notificationsSent,
  );
}

function webhookMetrics(
  registers: Registry[],
  webhooks: NonNullable<GatewayMetricSources['webhooks']>,
) {
  new Gauge({
    name: 'gw_webhook_jobs',
    help: 'Webhook deliveries in the queue (all replicas), by state',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await webhooks.counts().catch(() => undefined);
      if (counts === undefined) return;
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  const { stats } = webhooks;
  labelledCounter(
    registers,
    'gw_webhook_attempts_total',
    "Webhook attempts by this process's worker, by outcome",
    'outcome',
    () => ({ delivered: stats.delivered, retried: stats.retried, failed: stats.failed }),
  );
  labelledCounter(
    registers,
    'gw_webhook_channels_ended_total',
    "Webhook channels ended by this process's worker: 410 Gone, or a destination failing for the whole disable period",
    'reason',
    () => ({ gone: stats.gone, disabled: stats.disabled }),
  );
}

/** A counter mirroring a monotonic number kept elsewhere. */
function counter(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A counter per value of `label`, each mirroring a monotonic number kept elsewhere. */
function labelledCounter(
  registers: Registry[],
  name: string,
  help: string,
  label: string,
  read: () => Record<string, number>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers,
    collect() {
      this.reset();
      for (const [value, count] of Object.entries(read())) this.inc({ [label]: value }, count);
    },
  });
}
