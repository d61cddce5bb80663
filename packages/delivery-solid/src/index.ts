export { AuthenticationError, AuthenticationUnavailableError } from './authentication-error.js';
export { BasicAuthenticator, type BasicAuthenticatorOptions } from './basic-authenticator.js';
export type { ChannelDescription, ChannelRequest, ChannelType, Notification } from './channel.js';
export { ChannelStore, type ChannelStoreOptions } from './channel-store.js';
export { SYNC_CHANNEL, type SyncMessage } from './channel-sync.js';
export { SolidCloseCode } from './close-codes.js';
export { MemoryReplayGuard, RedisReplayGuard, type ReplayGuard } from './replay-guard.js';
export { type Authenticated, RequestAuthenticator } from './request-authenticator.js';
export {
  type ResourceState,
  SolidNotifications,
  type SolidNotificationsOptions,
  type Subscribed,
  type WebhookDelivery,
  type WebhookOptions,
} from './solid-notifications.js';
export { SolidOidcVerifier, type SolidOidcVerifierOptions } from './solid-oidc-verifier.js';
export { type SolidRoutesOptions, solidRoutes } from './solid-routes.js';
export {
  type StorageDescriptionLinkOptions,
  storageDescriptionLink,
} from './storage-description-link.js';
export type { StoredChannel } from './stored-channel.js';
export { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';
export { defaultWebIdTemplates, WebIdRule } from './webid-rule.js';
