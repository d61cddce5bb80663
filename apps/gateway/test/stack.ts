import { type Config, loadConfig } from '@gw/config';
import {
  createTestDatabase,
  type RedisServerProcess,
  SimulatedNextcloud,
  startRedisServer,
  type TestDatabase,
  TestWebSocket,
} from '@gw/testkit';
import type { RedisOptions } from 'ioredis';
import pino, { type Logger } from 'pino';
import { type Gateway, type GatewayOverrides, startGateway } from '../src/gateway.js';

/**
 * The whole system on loopback: a private redis-server (so no other test hears our pub/sub), a
 * throwaway PostgreSQL database with Nextcloud's tables, the simulated Nextcloud, the gateway.
 */
export interface Stack {
  redis: RedisServerProcess;
  database: TestDatabase;
  nextcloud: SimulatedNextcloud;
  gateway: Gateway;
  config: Config;
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  close(): Promise<void>;
}

export interface StackOptions extends GatewayOverrides {
  users?: { uid: string; password: string }[];
  config?: Partial<Config>;
  /**
   * A Redis the test brought (TLS, Unix socket, ACL, a cluster node), which the test stops.
   * @defaultValue a private plain redis-server that `close()` stops
   */
  redis?: RedisServerProcess;
  /** How the simulated Nextcloud reaches Redis. @defaultValue `redis.options` */
  nextcloudRedis?: RedisOptions;
  /**
   * Environment on top of the stack's own (NEXTCLOUD_URL, DATABASE_URL, REDIS_URL of `redis`,
   * ...), e.g. REDIS_TLS_* settings, or `REDIS_URL: undefined` to let a config.php decide.
   * @defaultValue {}
   */
  env?: NodeJS.ProcessEnv;
  /** The gateway's command line, e.g. a config.php or repeated --redis-url. @defaultValue [] */
  argv?: string[];
  /** The gateway's logger. @defaultValue a silent one */
  logger?: Logger;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownRedis = options.redis === undefined;
  const redis = options.redis ?? (await startRedisServer());
  const database = await createTestDatabase();
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: options.nextcloudRedis ?? redis.options,
    users: options.users ?? [],
  });
  const config: Config = {
    ...loadConfig({
      argv: options.argv ?? [],
      env: {
        NEXTCLOUD_URL: nextcloud.url,
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        PORT: '0',
        BIND: '127.0.0.1',
        LOG: 'off',
        DEBOUNCE_DISABLE: '1',
        ...options.env,
      },
    }),
    ...options.config,
  };
  const gateway = await startGateway(config, options.logger ?? pino({ level: 'silent' }), options);
  return {
    redis,
    database,
    nextcloud,
    gateway,
    config,
    wsUrl: `ws://127.0.0.1:${gateway.port}/ws`,
    async close() {
      await gateway.close();
      await nextcloud.close();
      await database.drop();
      if (ownRedis) await redis.stop();
    },
  };
}

/** Connects and authenticates (upstream `connect_auth`). */
export function connectAuth(stack: Stack, user: string, password: string) {
  return TestWebSocket.authenticated(stack.wsUrl, user, password);
}
