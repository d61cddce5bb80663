export {
  decodeNotifyMessage,
  isNotifyChannel,
  NOTIFY_CHANNELS,
  type NotifyChannel,
  NotifyDecodeError,
  type NotifyEvent,
  type NotifyEventOf,
  notifyPayloadSchemas,
} from './notify-events.js';
export { eventTopic, type ResourceActivity, type ResourceEvent } from './resource-event.js';
export {
  encodeSegment,
  type ResourceLocation,
  ResourceUrls,
  resourceKey,
} from './resource-urls.js';
export type {
  ActivityEvent,
  CustomEvent,
  FileChange,
  FileEvent,
  NotificationEvent,
  UserEvent,
} from './user-event.js';
