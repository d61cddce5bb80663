import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { type Config, loadConfig } from '@gw/config';
import { ResourceUrls } from '@gw/events';
import {
  createTestDatabase,
  DEMO_FILES,
  freePort,
  SimulatedNextcloud,
  seedDemo,
  touchRandomFile,
} from '@gw/testkit';
import type { Logger } from 'pino';
import { type Gateway, startGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { onShutdownSignal } from './shutdown.js';
import { runSolidDemoClient } from './solid-demo-client.js';
import { runTestClient } from './test-client.js';

const CHANGE_INTERVAL_MS = 5_000;

/**
 * `pnpm demo`: the gateway next to a simulated Nextcloud (its tables in a throwaway database on
 * the local PostgreSQL, its events on the local Redis), a file changing every few seconds, a
 * notify_push test client printing the pushes it receives, and a Solid client printing the
 * notifications of alice's files.
 */
export async function runDemo(): Promise<number> {
  const logger = createLogger('info');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const database = await createTestDatabase({ name: `ngw_demo_${process.pid}` });
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: redisUrl,
  });
  let gateway: Gateway | undefined;
  try {
    const port = await demoPort();
    const publicUrl = `http://127.0.0.1:${port}/`;
    gateway = await startGateway(
      demoConfig({
        nextcloudUrl: nextcloud.url,
        databaseUrl: database.url,
        redisUrl,
        port,
        publicUrl,
      }),
      logger,
    );
    nextcloud.baseEndpoint = `${gateway.url}/push`;
    const users = await seedDemo(nextcloud);
    printBanner(nextcloud.url, gateway.url, publicUrl, users);

    const change = async () => {
      const changed = await touchRandomFile(nextcloud);
      console.log(`demo: changed ${changed.path} (file id ${changed.fileId})`);
    };
    const timer = setInterval(() => void change().catch(logError(logger)), CHANGE_INTERVAL_MS);
    const input = createInterface({ input: process.stdin });
    input.on('line', () => void change().catch(logError(logger)));
    const [first] = users;
    if (first) {
      void runTestClient({
        url: nextcloud.url,
        username: first.uid,
        password: first.password,
        print: (line) => console.log(`client(${first.uid}): ${line}`),
      }).catch(logError(logger));
      void runSolidDemoClient({
        publicUrl,
        username: first.uid,
        password: first.password,
        topics: Object.keys(DEMO_FILES).map(
          (path) => new ResourceUrls(nextcloud.url).url(first.uid, path, false) as string,
        ),
        print: (line) => console.log(`solid(${first.uid}): ${line}`),
      }).catch(logError(logger));
    }

    await onShutdownSignal(logger);
    clearInterval(timer);
    input.close();
    return 0;
  } finally {
    await gateway?.close();
    await nextcloud.close();
    await database.drop();
  }
}

interface DemoSettings {
  nextcloudUrl: string;
  databaseUrl: string;
  redisUrl: string;
  port: number;
  /** The gateway itself: the demo has no reverse proxy to put it under Nextcloud's `/push/`. */
  publicUrl: string;
}

function demoConfig(settings: DemoSettings): Config {
  return loadConfig({
    argv: [],
    env: {
      NEXTCLOUD_URL: settings.nextcloudUrl,
      DATABASE_URL: settings.databaseUrl,
      REDIS_URL: settings.redisUrl,
      PORT: String(settings.port),
      PUBLIC_URL: settings.publicUrl,
      BIND: '127.0.0.1',
      LOG: 'info',
    },
  });
}

/**
 * PORT, or 7867; when that is taken (a real notify_push, another demo), any free port. Chosen
 * before the gateway starts, because the Solid URLs it hands out name it.
 */
async function demoPort(): Promise<number> {
  const wanted = Number(process.env.PORT ?? 7867);
  if (wanted !== 0 && (await isFree(wanted))) return wanted;
  return freePort();
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function printBanner(
  nextcloudUrl: string,
  gatewayUrl: string,
  publicUrl: string,
  users: readonly { uid: string; password: string }[],
) {
  const lines = [
    '',
    'notify-gateway demo',
    `  simulated Nextcloud  ${nextcloudUrl}`,
    `  push endpoint        ${gatewayUrl.replace(/^http/, 'ws')}/push/ws`,
    `  Solid discovery      ${publicUrl}.well-known/solid`,
    ...users.map((user) => `  user                 ${user.uid} / ${user.password}`),
    '',
    `A file changes every ${CHANGE_INTERVAL_MS / 1000} s; press Enter to change one now.`,
    'Watch from another terminal:',
    `  pnpm test-client ${nextcloudUrl} ${users[1]?.uid ?? 'bob'} ${users[1]?.password ?? 'bob-password'}`,
    'Ctrl-C stops the demo and drops its database.',
    '',
  ];
  console.log(lines.join('\n'));
}

function logError(logger: Logger) {
  return (err: unknown) => logger.error({ err }, 'demo step failed');
}
