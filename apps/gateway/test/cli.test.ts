import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  type RedisServerProcess,
  SimulatedNextcloud,
  startRedisServer,
  type TestDatabase,
  TestWebSocket,
} from '@gw/testkit';
import { NotifySocket } from './notify-socket.js';

const gatewayDir = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@gw/source', '--import', 'tsx', 'src/cli.ts', ...args],
    { cwd: gatewayDir, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = cli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data) => {
    stdout += data;
  });
  child.stderr?.on('data', (data) => {
    stderr += data;
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

/** Resolves with the first JSON log line matching `predicate`. */
function logLine(child: ChildProcess, predicate: (line: Record<string, unknown>) => boolean) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (data) => {
      buffer += data;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (predicate(parsed)) resolve(parsed);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before the log line`)));
  });
}

describe('notify-gateway command line', () => {
  let redis: RedisServerProcess;
  let database: TestDatabase;
  let nextcloud: SimulatedNextcloud;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    nextcloud = await SimulatedNextcloud.start({
      database: { pool: database.pool, prefix: database.prefix },
      redis: redis.url,
      users: [{ uid: 'alice', password: 'secret-pw' }],
    });
    env = {
      NEXTCLOUD_URL: nextcloud.url,
      DATABASE_URL: database.url.replace('postgres@', 'postgres:db-secret@'),
      REDIS_URL: redis.url,
      PORT: '0',
      BIND: '127.0.0.1',
      LOG: 'info',
    };
  });
  after(async () => {
    await nextcloud.close();
    await database.drop();
    await redis.stop();
  });

  it('prints a notify_push-style version line', async () => {
    const { code, stdout } = await run(['--version']);
    assert.equal(code, 0);
    assert.match(stdout, /^notify_push 1\.4\.0 \(notify-gateway \d+\.\d+\.\d+\)\n$/);
  });

  it('dumps the configuration without its secrets', async () => {
    const { code, stdout } = await run(['--dump-config'], env);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /db-secret/);
    assert.match(stdout, /"port": 0/);
  });

  it('stops with one line naming a missing value', async () => {
    const { code, stdout, stderr } = await run([], { ...env, DATABASE_URL: undefined });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /^notify-gateway: No database server is configured: set DATABASE_URL[^\n]*\n$/,
    );
  });

  it('stops with one line naming an invalid value', async () => {
    const { code, stderr } = await run([], { ...env, PORT: 'seventy' });
    assert.equal(code, 1);
    assert.match(stderr, /^notify-gateway: .*PORT.*\n$/);
  });

  it('serves clients and on SIGTERM closes them with 1001 and exits 0', async () => {
    const child = cli([], env);
    const listening = await logLine(child, (line) => typeof line.url === 'string');
    const wsUrl = `${String(listening.url).replace('http', 'ws')}/push/ws`;
    const client = await TestWebSocket.open(wsUrl);
    client.send('alice', 'secret-pw');
    assert.equal(await client.next(), 'authenticated');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.equal(await client.closed, 1001);
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
  });

  it('tells systemd it is ready once it listens, and that it is stopping on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-systemd-'));
    const notify = await NotifySocket.open(dir);
    try {
      const child = cli([], { ...env, NOTIFY_SOCKET: notify.path });
      const ready = await notify.next(15_000);
      assert.match(ready, /(^| )READY=1( |$)/);
      assert.match(ready, new RegExp(`(^| )MAINPID=${child.pid}( |$)`));
      const url = /STATUS=listening on (\S+)/.exec(ready)?.[1] ?? '';
      assert.equal((await fetch(`${url}/livez`)).status, 200, 'READY=1 comes after the bind');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.match(await notify.next(), /(^| )STOPPING=1( |$)/);
      assert.equal(((await exited) as [number])[0], 0);
    } finally {
      notify.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
