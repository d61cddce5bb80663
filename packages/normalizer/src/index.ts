export { isBelowRoot, type MountedRoot, userPath } from './mount-match.js';
export {
  Normalizer,
  type NormalizerOptions,
  USER_FACING_CHANNELS,
  type UserFacingChannel,
  type UserFacingNotifyEvent,
} from './normalizer.js';
