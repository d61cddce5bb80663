export { isBelowRoot, type MountedRoot, userPath } from './mount-match.js';
export {
  Normalizer,
  type NormalizerOptions,
  USER_FACING_CHANNELS,
  type UserFacingChannel,
  type UserFacingNotifyEvent,
} from './normalizer.js';
export { type KnownEntry, ResourceMemory, type ResourceMemoryOptions } from './resource-memory.js';
export { ResourceResolver, type ResourceResolverOptions } from './resource-resolver.js';
export { ResourceTracker, type ResourceTrackerOptions } from './resource-tracker.js';
export type { StorageChange, StorageUpdate } from './storage-change.js';
export { locate, type StorageLocation, UserMounts, type UserMountsOptions } from './user-mounts.js';
