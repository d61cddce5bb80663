import type { NotifyEvent, NotifyEventOf, UserEvent } from '@gw/events';
import type { Normalizer, UserFacingNotifyEvent } from '@gw/normalizer';
import type { Logger } from 'pino';

/** Where routed events go. The legacy delivery today; the Solid delivery joins it later. */
export interface EventSinks {
  deliver(event: UserEvent): void;
  preAuth(user: string, token: string): void;
  reset(): void;
}

/** Where storage updates go as resource changes (the Solid delivery), when it is on. */
export interface ResourceSinks {
  storageUpdate(
    update: NotifyEventOf<'notify_storage_update'>['payload'],
    receivedAt: number,
  ): void;
  /** A share or group membership changed: users' mounts are not what they were. */
  mountsChanged(): void;
  /** Another replica changed a Solid channel. */
  channelSync(payload: NotifyEventOf<'notify_gateway_channels'>['payload']): void;
}

/** Where the control channels go (the self-test cookie, the log level, metrics queries). */
export interface ControlSinks {
  setTestCookie(cookie: number): void;
  config(payload: NotifyEventOf<'notify_config'>['payload']): void;
  query(): void;
}

export interface EventRouterStats {
  /** Storage updates dropped because their mounts could not be loaded. */
  mappingFailures: number;
}

/**
 * Dispatches each decoded `notify_*` event: user-facing ones through the normalizer to the
 * deliveries, control ones to their handler. Never throws: one bad event must not stop the next.
 */
export function createEventRouter(
  normalizer: Normalizer,
  sinks: EventSinks,
  logger: Logger,
  control: ControlSinks,
  resources?: ResourceSinks,
) {
  const stats: EventRouterStats = { mappingFailures: 0 };

  const deliverAll = (events: UserEvent[]) => {
    for (const event of events) sinks.deliver(event);
  };
  const normalizeAndDeliver = (event: UserFacingNotifyEvent, receivedAt: number) =>
    normalizer.normalize(event, receivedAt).then(deliverAll, (err: unknown) => {
      logger.error({ err, channel: event.channel }, 'failed to normalize event');
    });

  function route(event: NotifyEvent, receivedAt: number): void {
    switch (event.channel) {
      case 'notify_pre_auth':
        sinks.preAuth(event.payload.user, event.payload.token);
        return;
      case 'notify_signal':
        logger.info('reset signal received, closing every connection');
        sinks.reset();
        return;
      case 'notify_test_cookie':
        control.setTestCookie(event.payload);
        return;
      case 'notify_config':
        control.config(event.payload);
        return;
      case 'notify_query':
        control.query();
        return;
      case 'notify_gateway_channels':
        resources?.channelSync(event.payload);
        return;
      case 'notify_storage_update':
        resources?.storageUpdate(event.payload, receivedAt);
        normalizer.normalize(event, receivedAt).then(deliverAll, (err: unknown) => {
          stats.mappingFailures++;
          logger.warn(
            { err, storage: event.payload.storage },
            'failed to load the storage mapping, dropping the storage update',
          );
        });
        return;
      case 'notify_group_membership_update':
      case 'notify_user_share_created':
        resources?.mountsChanged();
        void normalizeAndDeliver(event, receivedAt);
        return;
      default:
        void normalizeAndDeliver(event, receivedAt);
    }
  }

  return { route, stats };
}

export type EventRouter = ReturnType<typeof createEventRouter>;
