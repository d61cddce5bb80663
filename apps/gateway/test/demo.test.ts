import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RedisServerProcess, startRedisServer, until } from '@gw/testkit';
import pg from 'pg';

const gatewayDir = fileURLToPath(new URL('..', import.meta.url));

describe('demo', () => {
  let redis: RedisServerProcess;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.stop();
  });

  it('shows pushes arriving at its client as files change, and cleans up on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@gw/source', '--import', 'tsx', 'src/cli.ts', 'demo'],
      {
        cwd: gatewayDir,
        env: { PATH: process.env.PATH, REDIS_URL: redis.url, PORT: '0' },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    await until(
      () => output.includes('user                 alice / alice-password'),
      'the banner',
      15_000,
    );
    child.stdin.write('\n'); // change a file now
    await until(
      () => /client\(alice\): \S+ notify_file_id \[\d+(,\d+)*\]/.test(output),
      'a push',
      10_000,
    );
    const changed = /demo: changed (\S+) \(file id (\d+)\)/.exec(output);
    assert.ok(changed, output);

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    assert.match(output, /client\(alice\): connection closed \(1001\)/);
    const admin = new pg.Client({
      connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      `ngw_demo_${child.pid}`,
    ]);
    await admin.end();
    assert.equal(left.rowCount, 0, 'the demo database was dropped');
  });
});
