import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
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

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
