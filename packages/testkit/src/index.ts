export { DEMO_FILES, DEMO_USERS, seedDemo, touchRandomFile } from './demo-seed.js';
export {
  accessToken,
  dpopProof,
  type FakeIssuer,
  type ProofOptions,
  startIssuer,
  type TestKey,
  type TokenOptions,
  testKey,
} from './fake-oidc-issuer.js';
export type { TestFile } from './file-rows.js';
export { captureLogs, type LogLine } from './log-capture.js';
export { mountPointHash } from './mount-cache.js';
export type { TestMount } from './mount-rows.js';
export { type MountTablesDialect, mountTablesSql } from './mount-tables.js';
export {
  InvalidInputError,
  NodeExistsError,
  NodeNotFoundError,
  ShareRefusedError,
  UnknownUserError,
  UserExistsError,
} from './nextcloud-errors.js';
export type { AuthBehaviour, RecordedRequest } from './nextcloud-http.js';
export { createNextcloudSchema, nextcloudSchemaSql } from './nextcloud-schema.js';
export {
  createNextcloudTestDatabase,
  type NextcloudTestDatabase,
  type NextcloudTestDatabaseOptions,
  type SqlDialect,
} from './nextcloud-test-database.js';
export { phpJsonEncode } from './php-json.js';
export {
  type RedisClusterOptions,
  type RedisClusterProcess,
  startRedisCluster,
} from './redis-cluster.js';
export {
  freePort,
  type RedisServerOptions,
  type RedisServerProcess,
  startRedisServer,
} from './redis-server.js';
export { SimulatedNextcloud, type SimulatedNextcloudOptions } from './simulated-nextcloud.js';
export { createTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy.js';
export {
  createTestCertificates,
  type TestCertificates,
  type TestCertificatesOptions,
} from './test-certificates.js';
export {
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
} from './test-database.js';
export {
  type ReceivedRequest,
  type ReceiverHandler,
  startReceiver,
  type TestReceiver,
  type TestReceiverOptions,
} from './test-receiver.js';
export { TestWebSocket } from './test-web-socket.js';
export { until } from './until.js';
export type { NextcloudUser } from './users.js';
