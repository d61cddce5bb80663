import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { captureLogs, type RedisServerProcess, startRedisServer, until } from '@gw/testkit';
import { type Job, Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { AddressPolicy } from '../src/address-policy.js';
import { SafeDispatcher } from '../src/safe-dispatcher.js';
import { attemptDelivery } from '../src/webhook-attempt.js';
import type { AttemptOutcome, WebhookMessage } from '../src/webhook-message.js';
import { WebhookQueue } from '../src/webhook-queue.js';
import {
  WebhookWorker,
  type WebhookWorkerHooks,
  type WebhookWorkerOptions,
} from '../src/webhook-worker.js';
import { testMessage, testPrefix } from './queue-fixtures.js';

/** The compressed schedule: retries 50, 100 and 200 ms after; overload waits at least 150 ms. */
const RETRY = { delaysMs: [50, 100, 200], overloadMinimumMs: 150 };
/** Jitter off, for tests that measure exact delays. */
const EXACT = () => 0.5;
const DELIVERED: AttemptOutcome = { kind: 'delivered', status: 200 };
const FAILED: AttemptOutcome = { kind: 'retry', reason: 'HTTP 503', status: 503, overload: false };

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Bytes of the JS heap in use once the garbage is collected. */
async function liveHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

/** Polls an async condition; fails after `timeoutMs`, naming what it waited for. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** An attempt function answering from a script (per message, by attempt number from 1). */
function receiver(
  script: (message: WebhookMessage, n: number) => AttemptOutcome | Promise<AttemptOutcome>,
) {
  const starts: { id: string; at: number }[] = [];
  const attempt = async (message: WebhookMessage) => {
    const n = starts.filter((start) => start.id === message.id).length + 1;
    starts.push({ id: message.id, at: Date.now() });
    return script(message, n);
  };
  /** The gaps between the attempts at one message. */
  const gaps = (id: string) => {
    const at = starts.filter((start) => start.id === id).map((start) => start.at);
    return at.slice(1).map((time, i) => time - (at[i] ?? 0));
  };
  return {
    attempt,
    starts,
    gaps,
    count: (id: string) => starts.filter((start) => start.id === id).length,
  };
}

/** Hooks that record their calls. */
function recordingHooks(overrides: Partial<WebhookWorkerHooks> = {}) {
  const calls = { gone: [] as string[], disabled: [] as string[], attempts: [] as number[] };
  const hooks: WebhookWorkerHooks = {
    isActive: () => true,
    onGone: (id) => {
      calls.gone.push(id);
    },
    onDisabled: (url) => {
      calls.disabled.push(url);
    },
    onAttempt: (_message, _outcome, n) => {
      calls.attempts.push(n);
    },
    ...overrides,
  };
  return { hooks, calls };
}

describe('WebhookWorker', () => {
  let redis: RedisServerProcess;
  const closers: (() => Promise<void>)[] = [];

  /** A queue, a worker and BullMQ's view of the queue, on a prefix of their own. */
  const setUp = (
    options: Partial<WebhookWorkerOptions> & Pick<WebhookWorkerOptions, 'attempt'>,
    connection: RedisOptions = redis.options,
  ) => {
    const prefix = options.prefix ?? testPrefix();
    const retry = options.retry ?? RETRY;
    const queue = new WebhookQueue({ redis: connection, prefix, retry, logger: silent });
    const worker = startWorker({ prefix, retry, ...options }, connection);
    const jobs = new Queue<WebhookMessage>('webhooks', {
      connection: { port: connection.port },
      prefix,
    });
    closers.push(
      () => queue.close(),
      () => jobs.close(),
    );
    const job = async (id: string) => (await jobs.getJob(id)) as Job<WebhookMessage>;
    const state = (id: string) => jobs.getJobState(id);
    return { prefix, queue, worker, jobs, job, state };
  };
  const startWorker = (
    options: Partial<WebhookWorkerOptions> & Pick<WebhookWorkerOptions, 'attempt' | 'prefix'>,
    connection: RedisOptions = redis.options,
  ): WebhookWorker => {
    const worker = new WebhookWorker({
      redis: connection,
      logger: silent,
      retry: RETRY,
      hooks: recordingHooks().hooks,
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
      ...options,
    });
    closers.push(() => worker.close(0));
    return worker;
  };
  const silent = pino({ level: 'silent' });

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await redis.stop();
  });

  describe('retries', () => {
    it('delivers on the third attempt after two failures, waiting the scheduled delays', async () => {
      const r = receiver((_message, n) => (n < 3 ? FAILED : DELIVERED));
      const { hooks, calls } = recordingHooks();
      const { queue, state, job } = setUp({ attempt: r.attempt, hooks });
      const message = testMessage();
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      assert.deepEqual(calls.attempts, [1, 2, 3]);
      const [first, second] = r.gaps(message.id);
      assert.ok(first !== undefined && first >= 40 && first < 60 + 100, `first gap ${first}`);
      assert.ok(second !== undefined && second >= 80 && second < 120 + 100, `second gap ${second}`);
      const done = await job(message.id);
      // BullMQ counts every finished attempt, the successful one too.
      assert.equal(done.attemptsMade, 3);
      assert.deepEqual(done.returnvalue, { delivered: true, status: 200 });
    });

    it('honours Retry-After, clamped between 1× and 2× the scheduled delay', async () => {
      const r = receiver((_message, n) => {
        if (n === 1) return { ...FAILED, retryAfterMs: 10_000 };
        if (n === 2) return { ...FAILED, retryAfterMs: 1 };
        return DELIVERED;
      });
      const retry = { delaysMs: [100, 100], random: EXACT };
      const { queue, state } = setUp({ attempt: r.attempt, retry });
      const message = testMessage();
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      const [clampedDown, clampedUp] = r.gaps(message.id);
      assert.ok(
        clampedDown !== undefined && clampedDown >= 195 && clampedDown < 300,
        `${clampedDown}`,
      );
      assert.ok(clampedUp !== undefined && clampedUp >= 95 && clampedUp < 190, `${clampedUp}`);
    });

    it('makes an overloaded receiver (429, timeout) wait at least the minimum', async () => {
      const overloaded: AttemptOutcome = { kind: 'retry', reason: 'HTTP 429', overload: true };
      const r = receiver((_message, n) => (n === 1 ? overloaded : DELIVERED));
      const { queue, state } = setUp({ attempt: r.attempt });
      const message = testMessage();
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      const [gap] = r.gaps(message.id);
      assert.ok(gap !== undefined && gap >= 145 && gap < 300, `${gap}`);
    });

    it('fails the job once the schedule is exhausted, logging retries and the failure', async () => {
      const { logger, lines } = captureLogs();
      const r = receiver(() => FAILED);
      const { queue, state, job } = setUp({ attempt: r.attempt, logger });
      const message = testMessage({
        secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIzNA==',
        body: '{"x":"BODY-MARKER"}',
      });
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'failed', 'the failure');
      assert.equal(r.count(message.id), 4);
      const failed = await job(message.id);
      assert.equal(failed.attemptsMade, 4);
      assert.equal(failed.failedReason, 'HTTP 503');
      const retries = lines.filter((line) => line.msg === 'webhook delivery failed; will retry');
      assert.deepEqual(
        retries.map((line) => [line.level, line.jobId, line.attempt]),
        [1, 2, 3].map((attempt) => [30, message.id, attempt]),
      );
      const final = lines.filter(
        (line) => line.msg === 'webhook delivery failed; no attempts left',
      );
      assert.deepEqual(
        final.map((line) => [line.level, line.attempt, line.destination]),
        [[40, 4, 'https://a.example']],
      );
      const debug = lines.filter((line) => line.msg === 'webhook attempt');
      assert.equal(debug.length, 4);
      const logged = JSON.stringify(lines);
      assert.ok(!logged.includes('BODY-MARKER') && !logged.includes('whsec_'), 'logged a secret');
    });
  });

  describe('outcomes', () => {
    it('fails a permanent failure after one attempt, without retrying', async () => {
      const r = receiver(() => ({ kind: 'permanent', reason: 'HTTP 400', status: 400 }));
      const { queue, state, job } = setUp({ attempt: r.attempt });
      const message = testMessage();
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'failed', 'the failure');
      await sleep(150);
      assert.equal(r.count(message.id), 1);
      const failed = await job(message.id);
      assert.equal(failed.attemptsMade, 1);
      assert.equal(failed.failedReason, 'HTTP 400');
    });

    it('ends the subscription on 410 Gone: onGone once, no retry', async () => {
      const r = receiver(() => ({ kind: 'gone' }));
      const { hooks, calls } = recordingHooks();
      const { queue, state } = setUp({ attempt: r.attempt, hooks });
      const message = testMessage({ subscriptionId: 'sub-gone' });
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'failed', 'the failure');
      await sleep(150);
      assert.equal(r.count(message.id), 1);
      assert.deepEqual(calls.gone, ['sub-gone']);
    });

    it('completes the job of an inactive subscription without a request', async () => {
      const r = receiver(() => DELIVERED);
      const { hooks } = recordingHooks({ isActive: (id) => id !== 'sub-deleted' });
      const { queue, state, job } = setUp({ attempt: r.attempt, hooks });
      const message = testMessage({ subscriptionId: 'sub-deleted' });
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'completed', 'the completion');
      assert.equal(r.starts.length, 0);
      assert.deepEqual((await job(message.id)).returnvalue, {
        delivered: false,
        reason: 'subscription inactive',
      });
    });

    it('holds a job back without counting an attempt while isActive fails', async () => {
      let hookDown = true;
      const r = receiver(() => DELIVERED);
      const { hooks } = recordingHooks({
        isActive: () => {
          if (hookDown) throw new Error('database down');
          return true;
        },
      });
      const { queue, state, job } = setUp({
        attempt: r.attempt,
        hooks,
        circuitBreakerCooldownMs: 200,
      });
      const message = testMessage();
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'delayed', 'the hold');
      hookDown = false;
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      assert.equal(r.count(message.id), 1);
      assert.equal((await job(message.id)).attemptsMade, 1);
    });

    it('delivers a message once when two replicas enqueue it', async () => {
      const r = receiver(() => DELIVERED);
      const { prefix, queue, state } = setUp({ attempt: r.attempt });
      const replica = new WebhookQueue({
        redis: redis.options,
        prefix,
        retry: RETRY,
        logger: silent,
      });
      closers.push(() => replica.close());
      startWorker({ prefix, attempt: r.attempt });
      const message = testMessage();
      const added = await Promise.all([queue.enqueue(message), replica.enqueue(message)]);
      assert.deepEqual(added.sort(), [false, true]);
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      await replica.enqueue(message);
      await sleep(200);
      assert.equal(r.count(message.id), 1);
    });
  });

  describe('disabling', () => {
    /**
     * Messages to one URL failing every 100 ms or so, 6 attempts each, with the disable period
     * shrunk to 400 ms: a message's attempts span about 550 ms.
     */
    const failingForAWhile = () => {
      const r = receiver((message) => (message.body === 'ok' ? DELIVERED : FAILED));
      const { hooks, calls } = recordingHooks();
      return {
        disabled: calls.disabled,
        ...setUp({
          attempt: r.attempt,
          hooks,
          retry: { delaysMs: [100, 100, 100, 100, 100], random: EXACT },
          disableAfterMs: 400,
          // The circuit stays closed here: its cooldown would hold the last attempts back.
          circuitBreakerFailures: 100,
        }),
      };
    };

    it('reports a URL failing for longer than the period once', async () => {
      const { queue, state, disabled } = failingForAWhile();
      const message = testMessage({ url: 'https://down.example/hook' });
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'failed', 'the failure');
      assert.deepEqual(disabled, ['https://down.example/hook']);
    });

    it('starts the period again after a success in between', async () => {
      const { queue, state, disabled } = failingForAWhile();
      const url = 'https://flaky.example/hook';
      const message = testMessage({ url });
      await queue.enqueue(message);
      await sleep(250);
      const success = testMessage({ url, body: 'ok' });
      await queue.enqueue(success);
      await eventually(async () => (await state(success.id)) === 'completed', 'the success');
      await eventually(async () => (await state(message.id)) === 'failed', 'the failure');
      assert.deepEqual(disabled, []);
    });
  });

  describe('fairness', () => {
    it('serves other destinations promptly while one hangs, and holds its jobs without using attempts', async () => {
      const { logger, lines } = captureLogs();
      let inFlightA = 0;
      let maxInFlightA = 0;
      let attemptsA = 0;
      const latenciesB: number[] = [];
      const attempt = async (message: WebhookMessage): Promise<AttemptOutcome> => {
        if (message.url.startsWith('https://b.example')) {
          latenciesB.push(Date.now() - message.createdAt);
          return DELIVERED;
        }
        attemptsA++;
        maxInFlightA = Math.max(maxInFlightA, ++inFlightA);
        await sleep(300);
        inFlightA--;
        return { kind: 'retry', reason: 'timed out', overload: true };
      };
      const { queue, jobs } = setUp({
        attempt,
        logger,
        concurrency: 8,
        perDestinationConcurrency: 2,
        circuitBreakerFailures: 3,
        circuitBreakerCooldownMs: 3_000,
        retry: { delaysMs: [10_000], random: EXACT },
      });
      const a = Array.from({ length: 30 }, () => testMessage({ url: 'https://a.example/hook' }));
      for (const message of a) await queue.enqueue(message);
      const b = Array.from({ length: 10 }, () => testMessage({ url: 'https://b.example/hook' }));
      for (const message of b) await queue.enqueue({ ...message, createdAt: Date.now() });
      await until(() => latenciesB.length === 10, "B's deliveries", 3_000);
      assert.ok(Math.max(...latenciesB) < 1_000, `B waited ${Math.max(...latenciesB)} ms`);

      await until(
        () =>
          lines.some((line) => line.msg === 'webhook destination failing; holding its jobs back'),
        "A's circuit to open",
        3_000,
      );
      await until(() => inFlightA === 0, "A's last attempts");
      const attemptsWhenOpened = attemptsA;
      await sleep(500);
      assert.equal(attemptsA, attemptsWhenOpened, 'attempted A with its circuit open');
      assert.ok(maxInFlightA <= 2, `${maxInFlightA} attempts at A in flight`);
      assert.ok(attemptsA >= 3 && attemptsA <= 4, `${attemptsA} attempts at A`);

      const jobsA = await Promise.all(a.map((message) => jobs.getJob(message.id)));
      const attemptsMade = jobsA.map((job) => job?.attemptsMade ?? -1);
      assert.equal(
        attemptsMade.reduce((sum, n) => sum + n, 0),
        attemptsA,
      );
      assert.equal(attemptsMade.filter((n) => n === 0).length, 30 - attemptsA);
      // Held jobs come and go between the delayed set and this worker: wait for a quiet moment.
      await eventually(async () => {
        const counts = await jobs.getJobCounts('delayed', 'completed', 'failed');
        return counts.delayed === 30 && counts.completed === 10 && counts.failed === 0;
      }, 'A delayed, B completed');
    });
  });

  describe('crash safety', () => {
    const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

    it('delivers a job whose worker was killed mid-attempt, once another worker takes over', async () => {
      const prefix = testPrefix();
      const queue = new WebhookQueue({
        redis: redis.options,
        prefix,
        retry: RETRY,
        logger: silent,
      });
      closers.push(() => queue.close());
      const message = testMessage();
      await queue.enqueue(message);

      const child = spawn(
        process.execPath,
        ['--import', 'tsx', workerScript, String(redis.port), prefix],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      closers.push(async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      await attemptStarted(child, message.id);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;

      const r = receiver(() => DELIVERED);
      const { logger, lines } = captureLogs();
      startWorker({ prefix, attempt: r.attempt, logger, lockDurationMs: 500 });
      const jobs = new Queue('webhooks', { connection: { port: redis.port }, prefix });
      closers.push(() => jobs.close());
      await eventually(
        async () => (await jobs.getJobState(message.id)) === 'completed',
        'the delivery',
      );
      const job = await jobs.getJob(message.id);
      assert.equal(job?.attemptsMade, 1);
      assert.equal(job?.stalledCounter, 1);
      assert.equal(r.count(message.id), 1);
      assert.ok(
        lines.some(
          (line) => line.msg.startsWith('webhook job stalled') && line.jobId === message.id,
        ),
      );
    });

    it('keeps queued and retrying jobs through a Redis restart (AOF, fsync always)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gw-webhook-aof-'));
      const durable = await startRedisServer({
        args: ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
      });
      closers.push(async () => {
        await durable.stop();
        rmSync(dir, { recursive: true, force: true });
      });
      // Each message fails once, so it waits in the delayed set when Redis dies.
      const r = receiver((_message, n) => (n === 1 ? FAILED : DELIVERED));
      const retry = { delaysMs: [600], random: EXACT };
      const { queue, state } = setUp({ attempt: r.attempt, retry }, durable.options);
      const messages = [testMessage(), testMessage(), testMessage()];
      for (const message of messages) await queue.enqueue(message);
      await until(() => r.starts.length === 3, 'the first attempts');
      await durable.kill();
      await sleep(100);
      await durable.start();
      for (const message of messages) {
        await eventually(
          async () => (await state(message.id)) === 'completed',
          'the deliveries',
          10_000,
        );
        assert.equal(r.count(message.id), 2);
      }
    });
  });

  describe('memory', () => {
    it('keeps nothing of the jobs it has finished, delivered or held back', async () => {
      let attempted = 0;
      const { queue } = setUp({
        attempt: async () => {
          attempted++;
          return DELIVERED;
        },
      });
      // Eight destinations at 16 attempts each at most: many jobs wait or are held back.
      const burst = async (count: number) => {
        const target = attempted + count;
        const messages = Array.from({ length: count }, (_, i) =>
          testMessage({ url: `https://d${i % 8}.example/hook` }),
        );
        await Promise.all(messages.map((message) => queue.enqueue(message)));
        await until(() => attempted >= target, `${count} deliveries`, 30_000);
      };
      await burst(2_000);
      const before = await liveHeap();
      await burst(6_000);
      const grownKiB = ((await liveHeap()) - before) / 1024;
      // Keeping a few hundred bytes per job (a promise, its reaction) would be about 5 MiB here.
      assert.ok(grownKiB < 2048, `the heap grew by ${grownKiB.toFixed(0)} KiB over 6,000 jobs`);
    });
  });

  describe('shutdown', () => {
    it('waits for an attempt that ends within the bound', async () => {
      let started = false;
      const { queue, worker, state } = setUp({
        attempt: async () => {
          started = true;
          await sleep(200);
          return DELIVERED;
        },
      });
      const message = testMessage();
      await queue.enqueue(message);
      await until(() => started, 'the attempt');
      const closing = Date.now();
      await worker.close(2_000);
      const took = Date.now() - closing;
      assert.ok(took >= 150 && took < 1_500, `close took ${took} ms`);
      assert.equal(await state(message.id), 'completed');
    });

    it('leaves an attempt that outlasts the bound to stall, and another worker delivers it', async () => {
      let signal: AbortSignal | undefined;
      const { logger, lines } = captureLogs();
      const { prefix, queue, worker, job } = setUp({
        logger,
        lockDurationMs: 500,
        attempt: (_message, abort) => {
          signal = abort;
          return new Promise(() => {});
        },
      });
      const message = testMessage();
      await queue.enqueue(message);
      await until(() => signal !== undefined, 'the attempt');
      const closing = Date.now();
      await worker.close(200);
      const took = Date.now() - closing;
      assert.ok(took >= 190 && took < 1_000, `close took ${took} ms`);
      assert.equal(signal?.aborted, true);
      assert.ok(
        lines.some((line) => line.msg.startsWith('webhook attempts still running at shutdown')),
      );
      assert.equal((await job(message.id)).attemptsMade, 0);

      const r = receiver(() => DELIVERED);
      startWorker({ prefix, attempt: r.attempt });
      await eventually(
        async () => (await job(message.id)).finishedOn !== undefined,
        'the delivery',
      );
      const done = await job(message.id);
      assert.deepEqual(done.returnvalue, { delivered: true, status: 200 });
      assert.equal(done.attemptsMade, 1);
      assert.equal(r.count(message.id), 1);
    });

    it('closes at once while Redis is unreachable, having logged the lost link once', async () => {
      const { logger, lines } = captureLogs();
      // Nothing listens on port 1: every connection attempt is refused.
      const nowhere = { host: '127.0.0.1', port: 1 };
      const queue = new WebhookQueue({ redis: nowhere, prefix: testPrefix(), logger });
      const worker = new WebhookWorker({
        redis: nowhere,
        prefix: testPrefix(),
        logger,
        hooks: recordingHooks().hooks,
        attempt: async () => DELIVERED,
      });
      await sleep(1_500); // several reconnection attempts
      const closing = Date.now();
      await Promise.all([worker.close(5_000), queue.close()]);
      const took = Date.now() - closing;
      assert.ok(took < 1_000, `close took ${took} ms`);
      assert.deepEqual(
        lines.map((line) => line.msg),
        ['the webhook queue lost its Redis link', 'the webhook worker lost its Redis link'],
      );
      assert.match(String(lines[0]?.reason), /ECONNREFUSED/);
    });
  });

  describe('with the HTTP attempt', () => {
    it('signs every attempt with the same webhook-id, honouring a 503 with Retry-After', async () => {
      const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
      const received: { id: string; verified: unknown }[] = [];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          const headers = req.headers as Record<string, string>;
          received.push({
            id: headers['webhook-id'] ?? '',
            verified: new Webhook(secret).verify(body, headers),
          });
          if (received.length === 1) res.writeHead(503, { 'retry-after': '0.15' }).end();
          else res.writeHead(204).end();
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const dispatcher = new SafeDispatcher({
        policy: new AddressPolicy({ allow: ['127.0.0.0/8'] }),
      });
      closers.push(async () => {
        server.close();
        await dispatcher.close();
      });
      const { queue, state } = setUp({
        attempt: (message, signal) => attemptDelivery(message, { dispatcher, signal }),
      });
      const { port } = server.address() as AddressInfo;
      const message = testMessage({
        url: `http://127.0.0.1:${port}/hook`,
        body: '{"n":1}',
        secret,
      });
      await queue.enqueue(message);
      await eventually(async () => (await state(message.id)) === 'completed', 'the delivery');
      assert.deepEqual(
        received.map((request) => request.id),
        [message.id, message.id],
      );
      assert.deepEqual(received[1]?.verified, { n: 1 });
    });
  });
});

/** Resolves once the child process reports the attempt at `id`. */
async function attemptStarted(child: ChildProcess, id: string): Promise<void> {
  let output = '';
  const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    for await (const chunk of child.stdout ?? []) {
      output += String(chunk);
      if (output.includes(`attempting ${id}`)) return;
    }
    throw new Error(`the worker process ended before attempting: ${output}`);
  } finally {
    clearTimeout(deadline);
  }
}
