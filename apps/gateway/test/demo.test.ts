import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RedisServerProcess, startRedisServer, until } from '@gw/testkit';
import pg from 'pg';

const gatewayDir = fileURLToPath(new URL('..', import.meta.url));

/** The simulated Nextcloud's URL, from the demo's banner. */
function stackUrl(output: string): string {
  return /simulated Nextcloud {2}(\S+)/.exec(output)?.[1] ?? '(no banner)';
}

describe('demo', () => {
  let redis: RedisServerProcess;

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.stop();
  });

  it('shows pushes and Solid notifications arriving as files change, and cleans up on Ctrl-C', async (t) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@gw/source', '--import', 'tsx', 'src/cli.ts', 'demo'],
      {
        cwd: gatewayDir,
        env: { PATH: process.env.PATH, REDIS_URL: redis.url, PORT: '0' },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    // A failed assertion must not leave the demo running (and the test run waiting for it).
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    await until(
      () => output.includes('user                 alice / alice-password'),
      'the banner',
      15_000,
    );
    await until(
      () => output.includes('solid(alice): watching 5 files'),
      'the Solid client',
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
    const changedUrl = `remote.php/dav/files/alice/${changed[1]?.slice('files/'.length)}`;
    await until(
      () => output.includes(`solid(alice): Update ${stackUrl(output)}${changedUrl} "`),
      'a Solid notification of the same change',
      10_000,
    );

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
