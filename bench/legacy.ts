// pnpm bench:legacy: the legacy notify_push path under load, one gateway process, debounce off.
//   - 10,000 authenticated connections (1,000 users × 10): handshakes/s and RSS per connection
//   - one storage update visible to all of them: publish → last notify_file, p50/p99 over rounds
//   - storage updates/s sustained with the mapping cache warm
//   - the floor for the fan-out: a bare ws server sending one frame to as many sockets
//   - the storage-mapping query on PostgreSQL, MariaDB and SQLite, cold and warm (storage-mapping.ts)
// Everything runs on loopback: a private redis-server, a throwaway PostgreSQL database with
// Nextcloud's tables, the simulated Nextcloud, and the gateway as a child process (so its RSS is
// its own). Options: --users N --per-user N --rounds N --runs N --updates N, and --mapping-only
// for the storage-mapping section alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createTestDatabase,
  mountPointHash,
  SimulatedNextcloud,
  startRedisServer,
} from '@gw/testkit';
import { Redis } from 'ioredis';
import { sleep, withTimeout } from './async-pool.js';
import { bareWsFloor, timeToLast } from './bare-ws-floor.js';
import { type LegacyClient as Client, connectLegacy } from './legacy-client.js';
import { percentile } from './percentile.js';
import { benchStorageMapping } from './storage-mapping.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    'per-user': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    updates: { type: 'string', default: '100000' },
    'mapping-only': { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
const PER_USER = Number(args['per-user']);
const ROUNDS = Number(args.rounds);
const RUNS = Number(args.runs);
const UPDATES = Number(args.updates);
const THROUGHPUT_USERS = 100;

const gatewayCli = fileURLToPath(new URL('../apps/gateway/src/cli.ts', import.meta.url));

async function main() {
  console.log(
    `bench:legacy on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}`,
  );
  if (!args['mapping-only']) await benchConnections();
  console.log(await benchStorageMapping());
}

async function benchConnections() {
  const redis = await startRedisServer();
  const database = await createTestDatabase();
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: redis.url,
  });
  const publisher = new Redis(redis.url);
  let gateway: ChildProcess | undefined;
  try {
    const users = await seedUsers(nextcloud, 'bench', USERS);
    const tpUsers = await seedUsers(nextcloud, 'tp', THROUGHPUT_USERS);
    const shared = await sharedStorage(database.pool, users);
    const started = await startGatewayProcess({
      NEXTCLOUD_URL: nextcloud.url,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      PORT: '0',
      BIND: '127.0.0.1',
      LOG: 'info',
      DEBOUNCE_DISABLE: '1',
    });
    gateway = started.child;
    const wsUrl = `${started.url.replace('http', 'ws')}/ws`;

    await sleep(1000);
    const rssBefore = rssKiB(started.child.pid);
    const t0 = performance.now();
    const clients = await connectAll(
      wsUrl,
      users.flatMap((user) => Array(PER_USER).fill(user)),
      256,
    );
    const handshakeSeconds = (performance.now() - t0) / 1000;
    await sleep(2000);
    const rssAfter = rssKiB(started.child.pid);
    console.log(
      `connections: ${clients.length} in ${handshakeSeconds.toFixed(2)} s → ${(clients.length / handshakeSeconds).toFixed(0)} handshakes/s`,
    );
    console.log(
      `gateway RSS: ${(rssBefore / 1024).toFixed(1)} MiB idle → ${(rssAfter / 1024).toFixed(1)} MiB with ${clients.length} connections → ${((rssAfter - rssBefore) / clients.length).toFixed(2)} KiB per connection`,
    );

    const lastLatencies = await fanOutRounds(publisher, shared, clients);
    console.log(
      `fan-out of one update to ${clients.length} connections, ${ROUNDS} rounds: time to last notify_file p50 ${percentile(lastLatencies, 50).toFixed(1)} ms, p99 ${percentile(lastLatencies, 99).toFixed(1)} ms (max ${Math.max(...lastLatencies).toFixed(1)} ms)`,
    );

    const tpClients = await connectAll(wsUrl, tpUsers, 50);
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++)
      rates.push(await throughput(publisher, tpUsers, tpClients));
    console.log(
      `storage updates: ${rates.map((rate) => rate.toFixed(0)).join(', ')} /s over ${RUNS} runs of ${UPDATES} → median ${percentile(rates, 50).toFixed(0)} /s`,
    );
    for (const client of [...clients, ...tpClients]) client.socket.terminate();
    const floor = await bareWsFloor(clients.length, 'notify_file', ROUNDS);
    console.log(
      `floor, bare ws server to ${clients.length} sockets: p50 ${percentile(floor, 50).toFixed(1)} ms, p99 ${percentile(floor, 99).toFixed(1)} ms → gateway/floor p50 ${(percentile(lastLatencies, 50) / percentile(floor, 50)).toFixed(2)}×`,
    );
  } finally {
    gateway?.kill('SIGTERM');
    if (gateway) await once(gateway, 'exit');
    publisher.disconnect();
    await nextcloud.close();
    await database.drop();
    await redis.stop();
  }
}

interface BenchUser {
  uid: string;
  password: string;
  storage: number;
}

async function seedUsers(nextcloud: SimulatedNextcloud, prefix: string, count: number) {
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i++) {
    const uid = `${prefix}-${String(i).padStart(4, '0')}`;
    const password = `${uid}-password`;
    const { storage } = await nextcloud.addUser({ uid, password });
    users.push({ uid, password, storage });
  }
  return users;
}

/** A storage every user mounts (a group folder, say): one update concerns everybody. */
async function sharedStorage(pool: import('pg').Pool, users: BenchUser[]) {
  const { rows } = await pool.query<{ numeric_id: string }>(
    "INSERT INTO oc_storages (id) VALUES ('bench::shared') RETURNING numeric_id",
  );
  const storage = Number(rows[0]?.numeric_id);
  const root = await pool.query<{ fileid: string }>(
    "INSERT INTO oc_filecache (storage, path, path_hash, name) VALUES ($1, '', md5(''), '') RETURNING fileid",
    [storage],
  );
  const rootId = Number(root.rows[0]?.fileid);
  for (const user of users) {
    const mountPoint = `/${user.uid}/files/shared/`;
    await pool.query(
      `INSERT INTO oc_mounts (storage_id, root_id, user_id, mount_point, mount_point_hash)
       VALUES ($1, $2, $3, $4, $5)`,
      [storage, rootId, user.uid, mountPoint, await mountPointHash(mountPoint)],
    );
  }
  return storage;
}

async function startGatewayProcess(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--conditions=@gw/source', '--import', 'tsx', gatewayCli],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (data) => {
      buffer += data;
      const match = /"url":"([^"]+)"/.exec(buffer);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  child.stdout?.resume();
  return { child, url };
}

async function connectAll(url: string, users: BenchUser[], concurrency: number) {
  const clients: Client[] = [];
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++] as BenchUser;
      clients.push(await connectLegacy(url, user));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return clients;
}

function fanOutRounds(publisher: Redis, storage: number, clients: Client[]) {
  let round = 0;
  return rounds(clients, async () => {
    round++;
    await publisher.publish(
      'notify_storage_update',
      JSON.stringify({ storage, path: `files/round-${round}`, file_id: round }),
    );
  });
}

/** ROUNDS times: trigger one message to every client, time until the last one has it. */
async function rounds(clients: Client[], trigger: () => unknown) {
  const sockets = clients.map((client) => client.socket);
  const lastLatencies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    lastLatencies.push(await timeToLast(sockets, trigger));
    await sleep(200);
  }
  return lastLatencies;
}

/** Publishes UPDATES storage updates with at most `window` unanswered, returns updates/s. */
async function throughput(publisher: Redis, users: BenchUser[], clients: Client[], window = 5_000) {
  let received = 0;
  for (const client of clients) client.onMessage = () => void received++;
  // Warm the mapping cache for every storage first.
  await Promise.all(users.map((user, i) => publish(publisher, user.storage, i)));
  while (received < users.length) await sleep(10);
  received = 0;
  const t0 = performance.now();
  for (let sent = 0; sent < UPDATES; ) {
    const batch = publisher.pipeline();
    const size = Math.min(1000, UPDATES - sent);
    for (let i = 0; i < size; i++) {
      const user = users[(sent + i) % users.length] as BenchUser;
      batch.publish('notify_storage_update', updatePayload(user.storage, sent + i));
    }
    await batch.exec();
    sent += size;
    while (sent - received > window) await sleep(1);
  }
  await withTimeout(
    (async () => {
      while (received < UPDATES) await sleep(2);
    })(),
    30_000,
    () => 'updates lost',
  );
  return UPDATES / ((performance.now() - t0) / 1000);
}

function publish(publisher: Redis, storage: number, fileId: number) {
  return publisher.publish('notify_storage_update', updatePayload(storage, fileId));
}

function updatePayload(storage: number, fileId: number) {
  return `{"storage":${storage},"path":"files\\/doc-${fileId % 50}.txt","file_id":${fileId + 1}}`;
}

function rssKiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
}

await main();
