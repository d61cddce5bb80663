import type { LegacyStats } from '@gw/delivery-legacy';

/** Where upstream's counters live (reference/notify_push.md §6.3). */
export interface UpstreamMetricSources {
  legacy: { readonly stats: LegacyStats };
  mapping: { readonly stats: { readonly queries: number } };
  ingest: { readonly stats: { readonly received: number } };
}

/** The counters of `notify_push`'s metrics, with its field names and semantics. */
export interface UpstreamMetrics {
  active_connection_count: number;
  active_user_count: number;
  total_connection_count: number;
  mapping_query_count: number;
  events_received: number;
  messages_sent: number;
  messages_sent_file: number;
  messages_sent_activity: number;
  messages_sent_notification: number;
  messages_sent_custom: number;
}

export function upstreamMetrics({
  legacy,
  mapping,
  ingest,
}: UpstreamMetricSources): UpstreamMetrics {
  const { messagesSent } = legacy.stats;
  return {
    active_connection_count: legacy.stats.activeConnections,
    active_user_count: legacy.stats.activeUsers,
    total_connection_count: legacy.stats.totalConnections,
    mapping_query_count: mapping.stats.queries,
    events_received: ingest.stats.received,
    messages_sent: messagesSent.total,
    messages_sent_file: messagesSent.file,
    messages_sent_activity: messagesSent.activity,
    messages_sent_notification: messagesSent.notification,
    messages_sent_custom: messagesSent.custom,
  };
}

/** The `/metrics` body upstream serves: these lines, in this order, no `# HELP`/`# TYPE`. */
export function upstreamMetricsText(metrics: UpstreamMetrics): string {
  return [
    `active_connection_count ${metrics.active_connection_count}`,
    `active_user_count ${metrics.active_user_count}`,
    `total_connection_count ${metrics.total_connection_count}`,
    `mapping_query_count ${metrics.mapping_query_count}`,
    `event_count_total ${metrics.events_received}`,
    `message_count_total ${metrics.messages_sent}`,
    `message_count_total{type="file"} ${metrics.messages_sent_file}`,
    `message_count_total{type="notification"} ${metrics.messages_sent_notification}`,
    `message_count_total{type="activity"} ${metrics.messages_sent_activity}`,
    `message_count_total{type="custom"} ${metrics.messages_sent_custom}`,
  ].join('\n');
}
