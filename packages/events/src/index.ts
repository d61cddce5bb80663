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
export type {
  ActivityEvent,
  CustomEvent,
  FileChange,
  FileEvent,
  NotificationEvent,
  UserEvent,
} from './user-event.js';
