import { once } from 'node:events';
import { type Config, loadConfig } from '@gw/config';
import {
  createTestDatabase,
  type RedisServerProcess,
  SimulatedNextcloud,
  startRedisServer,
  type TestDatabase,
} from '@gw/testkit';
import pino from 'pino';
import { WebSocket } from 'ws';
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
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const redis = await startRedisServer();
  const database = await createTestDatabase();
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: redis.url,
    users: options.users ?? [],
  });
  const config: Config = {
    ...loadConfig({
      argv: [],
      env: {
        NEXTCLOUD_URL: nextcloud.url,
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        PORT: '0',
        BIND: '127.0.0.1',
        LOG: 'off',
        DEBOUNCE_DISABLE: '1',
      },
    }),
    ...options.config,
  };
  const gateway = await startGateway(config, pino({ level: 'silent' }), options);
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
      await redis.stop();
    },
  };
}

/** A client socket that queues what it receives, so tests can await the next frame. */
export class TestSocket {
  readonly socket: WebSocket;
  readonly #messages: string[] = [];
  readonly #waiters: ((message: string) => void)[] = [];
  closeCode: number | undefined;

  constructor(url: string, options?: ConstructorParameters<typeof WebSocket>[2]) {
    this.socket = new WebSocket(url, options);
    this.socket.on('message', (data) => {
      const text = data.toString();
      const waiter = this.#waiters.shift();
      if (waiter) waiter(text);
      else this.#messages.push(text);
    });
    this.socket.on('close', (code) => {
      this.closeCode = code;
    });
  }

  static async open(url: string, options?: ConstructorParameters<typeof WebSocket>[2]) {
    const client = new TestSocket(url, options);
    await once(client.socket, 'open');
    return client;
  }

  send(...frames: string[]) {
    for (const frame of frames) this.socket.send(frame);
  }

  /** The next text frame, failing after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<string> {
    const queued = this.#messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message: string) => {
        clearTimeout(timer);
        resolve(message);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Asserts that nothing arrives within `ms`. */
  async nothingWithin(ms = 200): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.#messages.length > 0) {
      throw new Error(`unexpected message(s): ${JSON.stringify(this.#messages)}`);
    }
  }

  async closed(timeoutMs = 2_000): Promise<number> {
    if (this.closeCode !== undefined) return this.closeCode;
    const timer = setTimeout(() => this.socket.terminate(), timeoutMs);
    const [code] = (await once(this.socket, 'close')) as [number];
    clearTimeout(timer);
    return code;
  }

  close() {
    this.socket.terminate();
  }
}

/** Connects and authenticates (upstream `connect_auth`). */
export async function connectAuth(stack: Stack, user: string, password: string) {
  const client = await TestSocket.open(stack.wsUrl);
  client.send(user, password);
  const reply = await client.next();
  if (reply !== 'authenticated') throw new Error(`authentication failed: ${reply}`);
  return client;
}
