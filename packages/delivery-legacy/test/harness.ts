import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import WebSocket, { type ClientOptions } from 'ws';
import { type LegacyPushOptions, LegacyPushService, legacyPushRoutes } from '../src/index.js';

/** The passwords the test "Nextcloud" accepts; the uid is the username. */
const PASSWORDS = new Map([
  ['foo', 'bar'],
  ['foo2', 'bar'],
  ['slow', 'bar'],
]);

export const MAX_FRAME_BYTES = 16 * 1024;

export interface VerifyCall {
  username: string;
  password: string;
  forwardedFor: readonly string[];
}

export interface TestServer {
  readonly url: string;
  readonly service: LegacyPushService;
  /** Every credential check the service asked for. */
  readonly verifyCalls: VerifyCall[];
  close(): Promise<void>;
}

/** A real fastify app on a loopback port, wired as the gateway does. */
export async function startServer(overrides: Partial<LegacyPushOptions> = {}): Promise<TestServer> {
  const verifyCalls: VerifyCall[] = [];
  const service = new LegacyPushService({
    verifyCredentials: async (username, password, forwardedFor) => {
      verifyCalls.push({ username, password, forwardedFor });
      if (PASSWORDS.get(username) === password) return username;
      throw new Error('Invalid credentials');
    },
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  const app: FastifyInstance = Fastify();
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
  });
  await app.register(legacyPushRoutes, { service });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    service,
    verifyCalls,
    close: async () => {
      await service.close();
      await app.close();
    },
  };
}

interface Waiter {
  resolve(frame: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A real `ws` client that records every text frame, so tests can await them in order. */
export class TestClient {
  readonly socket: WebSocket;
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>;
  readonly #frames: string[] = [];
  readonly #waiters: Waiter[] = [];

  constructor(url: string, options?: ClientOptions) {
    this.socket = new WebSocket(url, options);
    this.socket.on('message', (data, isBinary) => {
      const frame = isBinary ? `<binary ${String(data)}>` : String(data);
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#frames.push(frame);
      else {
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      }
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  static async open(url: string, options?: ClientOptions): Promise<TestClient> {
    const client = new TestClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', resolve);
      client.socket.once('error', reject);
    });
    return client;
  }

  /** Opens a connection and completes the handshake, expecting `authenticated`. */
  static async authenticated(url: string, user: string, password = 'bar'): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send(user, password);
    const reply = await client.next();
    if (reply !== 'authenticated') throw new Error(`expected authenticated, got ${reply}`);
    return client;
  }

  send(...frames: string[]): void {
    for (const frame of frames) this.socket.send(frame);
  }

  /** The next text frame, or a rejection after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<string> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  /** Frames received so far and not yet taken, after waiting `ms`. */
  async framesAfter(ms: number): Promise<string[]> {
    await delay(ms);
    return this.#frames.splice(0);
  }

  close(): void {
    this.socket.terminate();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds, failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}

export function fileEvent(user: string, fileId: number | null) {
  return {
    type: 'file' as const,
    user,
    receivedAt: Date.now(),
    change:
      fileId === null
        ? null
        : { fileId, storage: 1, storagePath: `files/${fileId}`, userPaths: [`files/${fileId}`] },
  };
}
