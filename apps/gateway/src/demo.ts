import { createInterface } from 'node:readline';
import { type Config, loadConfig } from '@gw/config';
import { createTestDatabase, SimulatedNextcloud, seedDemo, touchRandomFile } from '@gw/testkit';
import type { Logger } from 'pino';
import { type Gateway, startGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { onShutdownSignal } from './shutdown.js';
import { runTestClient } from './test-client.js';

const CHANGE_INTERVAL_MS = 5_000;

/**
 * `pnpm demo`: the gateway next to a simulated Nextcloud (its tables in a throwaway database on
 * the local PostgreSQL, its events on the local Redis), a file changing every few seconds, and a
 * test client printing the pushes it receives.
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
    gateway = await startDemoGateway(demoConfig(nextcloud.url, database.url, redisUrl), logger);
    nextcloud.baseEndpoint = `${gateway.url}/push`;
    const users = await seedDemo(nextcloud);
    printBanner(nextcloud.url, gateway.url, users);

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

function demoConfig(nextcloudUrl: string, databaseUrl: string, redisUrl: string): Config {
  return loadConfig({
    argv: [],
    env: {
      NEXTCLOUD_URL: nextcloudUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      PORT: process.env.PORT,
      BIND: '127.0.0.1',
      LOG: 'info',
    },
  });
}

/** The default port may be taken (a real notify_push, another demo): then any free port will do. */
async function startDemoGateway(config: Config, logger: Logger): Promise<Gateway> {
  try {
    return await startGateway(config, logger);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    logger.warn(`port ${config.port} is taken, using a free one`);
    return startGateway({ ...config, port: 0 }, logger);
  }
}

function printBanner(
  nextcloudUrl: string,
  gatewayUrl: string,
  users: readonly { uid: string; password: string }[],
) {
  const lines = [
    '',
    'notify-gateway demo',
    `  simulated Nextcloud  ${nextcloudUrl}`,
    `  push endpoint        ${gatewayUrl.replace(/^http/, 'ws')}/push/ws`,
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
