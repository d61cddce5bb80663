// The gateway side of bench:solid: the whole system on loopback (a private redis-server, a
// throwaway PostgreSQL database with Nextcloud's tables, the simulated Nextcloud) and the gateway
// as a child process, so its RSS is its own. Changes reach the gateway as Nextcloud makes them: a
// new etag in oc_filecache, then notify_storage_update on Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  freePort,
  SimulatedNextcloud,
  startRedisServer,
  type TestDatabase,
} from '@gw/testkit';
import { Redis } from 'ioredis';
import { inPool, openSockets, paced, sleep, withTimeout } from './async-pool.js';
import { timeToLast } from './bare-ws-floor.js';
import { percentile } from './percentile.js';

// The built gateway, as production runs it: under tsx the process carries the compiler too
// (about 150 MiB idle instead of about 60), which would swamp the RSS figure.
const gatewayCli = fileURLToPath(new URL('../apps/gateway/dist/cli.js', import.meta.url));
export const BENCH_USER = { uid: 'bench', password: 'bench-password' };
export const BENCH_AUTHORIZATION = `Basic ${Buffer.from(`${BENCH_USER.uid}:${BENCH_USER.password}`).toString('base64')}`;
export const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';

export interface GatewaySolid {
  /** The gateway's base URL (and PUBLIC_URL), with a trailing slash. */
  baseUrl: string;
  rssBytes(): number;
  /** A file of the bench user: its topic URL, and a way to change it as Nextcloud would. */
  file(name: string): Promise<BenchFile>;
  /** Stops the gateway process and starts it again (channels are reloaded from PostgreSQL). */
  restart(): Promise<void>;
  database: TestDatabase;
  redisUrl: string;
  stop(): Promise<void>;
}

export interface BenchFile {
  topic: string;
  /**
   * Writes a new etag, `bench-<n>` with n counting up (from 1, over all files of the gateway),
   * then publishes the storage update as Nextcloud does once its write is committed.
   * `beforePublish` gets the time just before the publish, where the gateway's part begins (so
   * does the returned promise), and n.
   */
  change(beforePublish?: (at: number, n: number) => void): Promise<number>;
}

export interface GatewaySolidOptions {
  /** Write a V8 CPU profile of the gateway process into this folder. @defaultValue none */
  profileDir?: string;
  /** Settings added to the gateway's environment, e.g. WEBHOOK_ALLOWED_DESTINATIONS. */
  env?: Record<string, string>;
}

export async function startGatewaySolid(options: GatewaySolidOptions = {}): Promise<GatewaySolid> {
  const redis = await startRedisServer();
  const database = await createTestDatabase();
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: redis.url,
    users: [BENCH_USER],
  });
  const publisher = new Redis(redis.url);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}/`;
  const env = {
    NEXTCLOUD_URL: nextcloud.url,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    PORT: String(port),
    BIND: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    LOG: 'warn',
    SOLID_CHANNEL_QUOTA: '1000000',
    ...options.env,
  };
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  let child = await startGatewayProcess(env, baseUrl, nodeArgs);
  let etag = 0;
  return {
    redisUrl: redis.url,
    baseUrl,
    database,
    rssBytes: () => rssBytes(child.pid),
    async file(name) {
      const { fileId } = await nextcloud.writeFile(BENCH_USER.uid, `files/${name}`, 'x');
      const { rows } = await database.pool.query<{ storage: string }>(
        'SELECT storage FROM oc_filecache WHERE fileid = $1',
        [fileId],
      );
      const storage = Number(rows[0]?.storage);
      const payload = JSON.stringify({ storage, path: `files/${name}`, file_id: fileId });
      return {
        topic: `${nextcloud.url}remote.php/dav/files/${BENCH_USER.uid}/${name}`,
        async change(beforePublish) {
          const n = ++etag;
          await database.pool.query('UPDATE oc_filecache SET etag = $1 WHERE fileid = $2', [
            `bench-${n}`,
            fileId,
          ]);
          const publishedAt = performance.now();
          beforePublish?.(publishedAt, n);
          await publisher.publish('notify_storage_update', payload);
          return publishedAt;
        },
      };
    },
    async restart() {
      await stopProcess(child);
      child = await startGatewayProcess(env, baseUrl, nodeArgs);
    },
    async stop() {
      await stopProcess(child);
      publisher.disconnect();
      await nextcloud.close();
      await database.drop();
      await redis.stop();
    },
  };
}

/**
 * POSTs one subscription of the bench user, as CSS's clients do: the legacy context, the full
 * type IRI, and `fields` (the topic; full IRIs for anything else). Resolves to the channel.
 */
export async function subscribe(
  gateway: Pick<GatewaySolid, 'baseUrl'>,
  type: 'WebSocketChannel2023' | 'WebhookChannel2023',
  fields: Record<string, string>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.baseUrl}.notifications/${type}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json', authorization: BENCH_AUTHORIZATION },
    body: JSON.stringify({
      '@context': ['https://www.w3.org/ns/solid/notification/v1'],
      type: `${NOTIFY}${type}`,
      ...fields,
    }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`subscribe: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** POSTs `count` WebSocketChannel2023 subscriptions, `concurrency` at a time; receiveFrom each. */
export function subscribeMany(
  gateway: Pick<GatewaySolid, 'baseUrl'>,
  topic: string,
  count: number,
  concurrency: number,
): Promise<string[]> {
  return inPool(count, concurrency, async () => {
    const channel = await subscribe(gateway, 'WebSocketChannel2023', { topic });
    return channel.receiveFrom as string;
  });
}

/**
 * Subscriptions answered 200 per second, after a warm-up that fills the credential cache and
 * lets V8 compile the hot path (the first few hundred requests of a fresh process run slower).
 */
export async function gatewaySubscriptionsPerSecond(
  gateway: GatewaySolid,
  topic: string,
  { count, concurrency }: { count: number; concurrency: number },
): Promise<number> {
  await subscribeMany(gateway, topic, 500, concurrency);
  const started = performance.now();
  await subscribeMany(gateway, topic, count, concurrency);
  return count / ((performance.now() - started) / 1000);
}

/** `channels` sockets on one file; each run changes it once and times until the last socket has it. */
export async function gatewayFanout(
  gateway: GatewaySolid,
  file: BenchFile,
  { channels, runs }: { channels: number; runs: number },
): Promise<number[]> {
  const receiveFrom = await subscribeMany(gateway, file.topic, channels, 32);
  const sockets = await openSockets(receiveFrom, 64);
  try {
    const lastMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      lastMs.push(await timeToLast(sockets, () => file.change()));
      await sleep(200);
    }
    return lastMs;
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

/**
 * Per change, the time from just before its publish to the first notification carrying its
 * state or a newer one: changes of one file that reach the gateway together are announced once,
 * with the newest state, as they should be.
 */
export class StateLatencies {
  /** In milliseconds, one per change announced so far. */
  readonly values: number[] = [];
  /** Changes published and not announced yet: n → when. */
  readonly #pending = new Map<number, number>();

  /** For `BenchFile.change`: change n is about to be published. */
  readonly published = (at: number, n: number): void => {
    this.#pending.set(n, at);
  };

  /** A notification arrived; `text` is the frame, or its `state`, with `bench-<n>` in quotes. */
  arrived(text: string | undefined, at: number): void {
    const state = Number(/"bench-(\d+)\\?"/.exec(text ?? '')?.[1]);
    for (const [n, publishedAt] of this.#pending) {
      if (n > state) continue;
      this.values.push(at - publishedAt);
      this.#pending.delete(n);
    }
  }

  /** Resolves to the latencies once `count` changes are announced; rejects after `timeoutMs`. */
  async all(count: number, timeoutMs = 10_000): Promise<number[]> {
    await withTimeout(
      (async () => {
        while (this.values.length < count) await sleep(5);
      })(),
      timeoutMs,
      () => `${count - this.values.length} of ${count} changes never announced`,
    );
    return this.values;
  }
}

/** One channel; `events` changes at `rate` per second, each timed as {@link StateLatencies}. */
export async function gatewayEventLatency(
  gateway: GatewaySolid,
  file: BenchFile,
  { events, rate }: { events: number; rate: number },
): Promise<number[]> {
  const [receiveFrom] = await subscribeMany(gateway, file.topic, 1, 1);
  const [socket] = await openSockets([receiveFrom as string], 1);
  if (socket === undefined) throw new Error('no socket');
  const latencies = new StateLatencies();
  socket.on('message', (data) => latencies.arrived(data.toString(), performance.now()));
  try {
    await paced(events, rate, () => file.change(latencies.published));
    return await latencies.all(events);
  } finally {
    socket.terminate();
  }
}

/**
 * Stores `count` channels straight into the gateway's table (a realistic spread: 1,000 users,
 * one topic each channel), restarts the gateway so it loads them all, and resolves to its RSS.
 */
export async function rssWithStoredChannels(gateway: GatewaySolid, count: number): Promise<number> {
  await gateway.database.pool.query(
    `INSERT INTO notify_gateway_channels
       (id, type, owner, topic, created_at, end_at, media_type, context_style, receive_token_hash)
     SELECT gen_random_uuid(), 'WebSocketChannel2023', 'user-' || (n % 1000),
            'http://nextcloud.invalid/remote.php/dav/files/user-' || (n % 1000) || '/doc-' || n || '.txt',
            $2::bigint, $2::bigint + 86400000, 'application/ld+json', 'notifications-context',
            encode(sha256(n::text::bytea), 'hex')
       FROM generate_series(1, $1) AS n`,
    [count, Date.now()],
  );
  await gateway.restart();
  await sleep(3_000);
  return gateway.rssBytes();
}

async function startGatewayProcess(
  env: Record<string, string>,
  baseUrl: string,
  nodeArgs: readonly string[],
) {
  const child = spawn(process.execPath, [...nodeArgs, gatewayCli], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`gateway exited with ${code}`);
  });
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(`${baseUrl}readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
  })();
  await withTimeout(Promise.race([ready, exited]), 60_000, () => 'the gateway did not get ready');
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

export function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
}
