export { createNextcloudSchema, nextcloudSchemaSql } from './nextcloud-schema.js';
export { freePort, type RedisServerProcess, startRedisServer } from './redis-server.js';
export {
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
} from './test-database.js';
