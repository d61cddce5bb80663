export { AddressPolicy, type AddressPolicyOptions } from './address-policy.js';
export { PermanentDeliveryError, RetryableDeliveryError } from './delivery-errors.js';
export type { RedisClusterTarget, RedisTarget } from './queue-connection.js';
export {
  RetrySchedule,
  type RetryScheduleOptions,
  SVIX_RETRY_DELAYS_MS,
} from './retry-schedule.js';
export {
  DestinationRefusedError,
  type HostLookup,
  SafeDispatcher,
  type SafeDispatcherOptions,
} from './safe-dispatcher.js';
export { type AttemptOptions, attemptDelivery } from './webhook-attempt.js';
export type { AttemptOutcome, WebhookMessage } from './webhook-message.js';
export {
  WebhookQueue,
  type WebhookQueueCounts,
  type WebhookQueueOptions,
} from './webhook-queue.js';
export { generateWebhookSecret, signatureHeaders } from './webhook-signature.js';
export {
  WebhookWorker,
  type WebhookWorkerHooks,
  type WebhookWorkerOptions,
} from './webhook-worker.js';
