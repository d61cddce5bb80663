export {
  InvalidAuthenticationMessageError,
  InvalidCredentialsError,
  NextcloudRequestError,
  NextcloudStatusError,
  NextcloudUnreachableError,
} from './auth-errors.js';
export {
  type FileEntry,
  InvalidDatabaseConfigError,
  type MountRoot,
  type NextcloudDatabase,
  type NextcloudDatabaseOptions,
  openNextcloudDatabase,
  UnsupportedDatabaseError,
  type UserMount,
} from './database.js';
export { NextcloudClient, type NextcloudClientOptions } from './nextcloud-client.js';
export { SelfTestError } from './self-test-error.js';
export {
  StorageMapping,
  type StorageMappingOptions,
  type StorageMappingStats,
} from './storage-mapping.js';
