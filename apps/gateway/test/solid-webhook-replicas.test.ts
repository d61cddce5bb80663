// Webhook deliveries across gateway processes: one event seen by every replica is delivered
// once, and a delivery cut off by a crash is made after a restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Config } from '@gw/config';
import { freePort, startReceiver, type TestReceiver, until } from '@gw/testkit';
import pino from 'pino';
import { type Gateway, type GatewayOverrides, startGateway } from '../src/gateway.js';
import { basic, davUrl, LEGACY_CONTEXT, NOTIFY, startSolidStack } from './solid-client.js';
import type { Stack } from './stack.js';

const users = [{ uid: 'alice', password: 'alice-pw' }];
const overrides: GatewayOverrides = {
  solid: { webhooks: { retry: { jitter: 0 }, lockDurationMs: 1_000, stalledIntervalMs: 500 } },
};
const env = { WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.0/8', WEBHOOK_RETRY_SCHEDULE: '0.1,0.2' };
const gatewayProcess = fileURLToPath(new URL('./gateway-process.ts', import.meta.url));

async function subscribe(stack: Stack & { base: string }, file: string, sendTo: string) {
  const response = await fetch(`${stack.base}.notifications/WebhookChannel2023/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json', authorization: basic('alice', 'alice-pw') },
    body: JSON.stringify({
      '@context': [LEGACY_CONTEXT],
      type: `${NOTIFY}WebhookChannel2023`,
      topic: davUrl(stack, 'alice', file),
      [`${NOTIFY}sendTo`]: sendTo,
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** The stack's configuration for another process, with or without a webhook worker. */
async function replicaConfig(stack: Stack, worker: boolean): Promise<Config> {
  const solid = stack.config.solid as NonNullable<Config['solid']>;
  return {
    ...stack.config,
    port: await freePort(),
    solid: { ...solid, webhooks: { ...solid.webhooks, worker } },
  };
}

/** Starts the gateway of `gateway-process.ts` in a process of its own; resolves once it listens. */
async function gatewayInProcess(config: Config) {
  const child = spawn(
    process.execPath,
    ['--conditions=@gw/source', '--import', 'tsx', gatewayProcess],
    {
      env: {
        PATH: process.env.PATH,
        GATEWAY_CONFIG: JSON.stringify(config),
        GATEWAY_OVERRIDES: JSON.stringify(overrides),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (data) => {
    output += data;
  });
  await until(() => output.includes('ready'), 'the gateway process', 20_000);
  return child;
}

describe('webhook deliveries across replicas', () => {
  let stack: Stack & { base: string };
  let second: ReturnType<typeof spawn>;
  let receiver: TestReceiver;

  before(async () => {
    stack = await startSolidStack({ users, env, ...overrides });
    second = await gatewayInProcess(await replicaConfig(stack, true));
    receiver = await startReceiver();
  });
  after(async () => {
    second.kill('SIGTERM');
    if (second.exitCode === null) await once(second, 'exit');
    await receiver.close();
    await stack.close();
  });

  it('delivers an event that two gateway processes saw exactly once', async () => {
    for (let i = 0; i < 5; i++)
      await subscribe(stack, `once-${i}.txt`, `${receiver.origin}/once-${i}`);
    // The other process learns of the channels over Redis; give it the time a sync takes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 5; i++)
      await stack.nextcloud.writeFile('alice', `files/once-${i}.txt`, 'x');
    await until(() => receiver.requests.length === 5, 'the deliveries');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(
      receiver.requests.map((request) => request.url).sort(),
      [0, 1, 2, 3, 4].map((i) => `/once-${i}`),
    );
  });
});

describe('a webhook delivery cut off by a crash', () => {
  let stack: Stack & { base: string };
  let receiver: TestReceiver;
  let restarted: Gateway | undefined;

  before(async () => {
    // This gateway only queues; the process killed below is the one delivering.
    stack = await startSolidStack({
      users,
      env: { ...env, WEBHOOK_WORKER_DISABLE: '1' },
      ...overrides,
    });
    let first = true;
    receiver = await startReceiver((_request, res) => {
      if (first)
        first = false; // the crash comes while this attempt hangs
      else res.end();
    });
  });
  after(async () => {
    await restarted?.close();
    await receiver.close();
    await stack.close();
  });

  it('is made again after a kill -9, with the same webhook-id', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@gw/source', '--import', 'tsx', gatewayProcess],
      {
        env: {
          PATH: process.env.PATH,
          GATEWAY_CONFIG: JSON.stringify(await replicaConfig(stack, true)),
          GATEWAY_OVERRIDES: JSON.stringify(overrides),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    await until(() => output.includes('ready'), 'the worker process', 20_000);
    await subscribe(stack, 'crash.txt', `${receiver.origin}/crash`);
    await stack.nextcloud.writeFile('alice', 'files/crash.txt', 'x');
    await until(() => receiver.requests.length === 1, 'the attempt that hangs', 10_000);
    child.kill('SIGKILL');
    await once(child, 'exit');
    restarted = await startGateway(
      await replicaConfig(stack, true),
      pino({ level: 'silent' }),
      overrides,
    );
    await until(() => receiver.requests.length === 2, 'the delivery after the restart', 10_000);
    const [cut, made] = receiver.requests;
    assert.equal(made?.headers['webhook-id'], cut?.headers['webhook-id']);
  });
});

describe('notify-gateway worker, delivering apart from the gateways', () => {
  let stack: Stack & { base: string };
  let receiver: TestReceiver;
  let worker: ReturnType<typeof spawn> | undefined;
  const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

  before(async () => {
    stack = await startSolidStack({ users, env: { ...env, WEBHOOK_WORKER_DISABLE: '1' } });
    receiver = await startReceiver((request, res) => {
      res.writeHead(request.url === '/gone' ? 410 : 200).end();
    });
  });
  after(async () => {
    worker?.kill('SIGTERM');
    if (worker && worker.exitCode === null) await once(worker, 'exit');
    await receiver.close();
    await stack.close();
  });

  it('delivers what the gateways queue, and ends a channel whose receiver is gone', async () => {
    worker = spawn(
      process.execPath,
      ['--conditions=@gw/source', '--import', 'tsx', cliPath, 'worker'],
      {
        env: {
          PATH: process.env.PATH,
          NEXTCLOUD_URL: stack.config.nextcloudUrl,
          DATABASE_URL: stack.config.databaseUrl,
          REDIS_URL: stack.redis.url,
          LOG: 'off',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await subscribe(stack, 'worked.txt', `${receiver.origin}/worked`);
    await subscribe(stack, 'gone.txt', `${receiver.origin}/gone`);
    await stack.nextcloud.writeFile('alice', 'files/worked.txt', 'x');
    await stack.nextcloud.writeFile('alice', 'files/gone.txt', 'x');
    await until(() => receiver.requests.some((r) => r.url === '/worked'), 'the delivery', 20_000);
    await until(() => stack.gateway.solid?.index.size === 1, 'the gone channel to end', 10_000);
    const { rows } = await stack.database.pool.query('SELECT send_to FROM notify_gateway_channels');
    assert.deepEqual(rows, [{ send_to: `${receiver.origin}/worked` }]);
  });
});
