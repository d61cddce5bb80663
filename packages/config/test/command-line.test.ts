import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCommandLine } from '../src/command-line.js';
import { configError } from './temp-dir.js';

describe('readCommandLine', () => {
  it('reads every flag, in both --flag=value and --flag value forms', () => {
    const cli = readCommandLine([
      '--database-url=postgres://u:p@db/nc',
      '--database-prefix',
      'nc_',
      '--redis-url',
      'redis://cache:6380/2',
      '--nextcloud-url=https://cloud.example.com',
      '--port',
      '8080',
      '--bind=127.0.0.1',
      '--log-level',
      'notify_push=debug',
      '--max-debounce-time=30',
      '--max-connection-time',
      '3600',
      '--debounce-disable',
      '--allow-self-signed',
      '--no-ansi',
      '--user-agent=notify-gateway/1.0',
      '/etc/nextcloud/config.php',
      '--glob-config',
      '--dump-config',
    ]);
    assert.deepEqual(cli, {
      settings: {
        databaseUrl: 'postgres://u:p@db/nc',
        databasePrefix: 'nc_',
        redis: { nodes: [{ host: 'cache', port: 6380 }], cluster: false, db: 2, tls: false },
        nextcloudUrl: 'https://cloud.example.com/',
        port: 8080,
        bind: '127.0.0.1',
        logLevel: 'debug',
        maxDebounceTime: 30,
        maxConnectionTime: 3600,
        debounceDisable: true,
        allowSelfSigned: true,
        noAnsi: true,
        userAgent: 'notify-gateway/1.0',
      },
      configFile: '/etc/nextcloud/config.php',
      globConfig: true,
      dumpConfig: true,
      version: false,
      help: false,
    });
  });

  it('reads -p in its short forms and the action flags', () => {
    assert.equal(readCommandLine(['-p', '81']).settings.port, 81);
    assert.equal(readCommandLine(['-p82']).settings.port, 82);
    assert.equal(readCommandLine(['-p=83']).settings.port, 83);
    assert.equal(readCommandLine(['-h']).help, true);
    assert.equal(readCommandLine(['--help']).help, true);
    assert.equal(readCommandLine(['--version']).version, true);
    assert.equal(readCommandLine(['--', '--odd-name.php']).configFile, '--odd-name.php');
    assert.deepEqual(readCommandLine([]).settings, {});
  });

  it('rejects invalid values, quoting them unless they may hold a password', () => {
    assert.throws(
      () => readCommandLine(['--port', 'abc']),
      configError('--port', /^Invalid --port value: "abc" \(/),
    );
    assert.throws(
      () => readCommandLine(['-p', '70000']),
      configError('--port', /Invalid --port value: "70000"/),
    );
    assert.throws(
      () => readCommandLine(['--bind=localhost']),
      configError('--bind', /expected an IP address/),
    );
    assert.throws(
      () => readCommandLine(['--log-level=notify_push=loud']),
      configError('--log-level', /unknown level/),
    );
    assert.throws(
      () => readCommandLine(['--max-debounce-time=-1']),
      configError('--max-debounce-time'),
    );
    assert.throws(
      () => readCommandLine(['--max-connection-time=1.5']),
      configError('--max-connection-time'),
    );
    assert.throws(
      () => readCommandLine(['--database-prefix=oc_; DROP']),
      configError('--database-prefix'),
    );
    assert.throws(
      () => readCommandLine(['--user-agent=a\r\nX-Evil: 1']),
      configError('--user-agent'),
    );
    assert.throws(
      () => readCommandLine(['--nextcloud-url=ftp://x']),
      configError('--nextcloud-url'),
    );
    for (const [flag, value] of [
      ['--database-url', 'oracle://u:hunter2@db/x'],
      ['--redis-url', 'http://u:hunter2@cache'],
    ] as const) {
      assert.throws(
        () => readCommandLine([flag, value]),
        (error: Error) =>
          configError(flag, /unsupported scheme/)(error) && !error.message.includes('hunter2'),
      );
    }
  });

  it('rejects malformed command lines, naming the flag', () => {
    const cases: [string[], string, RegExp][] = [
      [['--frobnicate'], '--frobnicate', /Unknown option --frobnicate/],
      [['--port'], '--port', /Missing value for --port <PORT>/],
      [['--port', '--bind', '::'], '--port', /Missing value/],
      [['--port=1', '-p', '2'], '--port', /--port may be given only once/],
      [['--allow-self-signed=yes'], '--allow-self-signed', /takes no value/],
      [['--dump-config=1'], '--dump-config', /takes no value/],
      [['a.php', 'b.php'], 'CONFIG_FILE', /Only one CONFIG_FILE/],
    ];
    for (const [argv, key, message] of cases) {
      assert.throws(() => readCommandLine(argv), configError(key, message), argv.join(' '));
    }
  });

  it('reads the Redis TLS flags', () => {
    assert.deepEqual(
      readCommandLine([
        '--redis-url=rediss://cache',
        '--redis-tls-cert=/c.pem',
        '--redis-tls-key',
        '/k.pem',
        '--redis-tls-ca=/ca.pem',
        '--redis-tls-dont-validate-hostname',
        '--redis-tls-insecure',
      ]).settings,
      {
        redis: { nodes: [{ host: 'cache', port: 6379 }], cluster: false, db: 0, tls: true },
        redisTlsCert: '/c.pem',
        redisTlsKey: '/k.pem',
        redisTlsCa: '/ca.pem',
        redisTlsDontValidateHostname: true,
        redisTlsInsecure: true,
      },
    );
    assert.throws(
      () => readCommandLine(['--redis-tls-insecure=1']),
      configError('--redis-tls-insecure', /takes no value/),
    );
  });

  it('reads --redis-url given twice or more as the nodes of a Redis Cluster', () => {
    assert.deepEqual(
      readCommandLine(['--redis-url', 'redis://:pw@a:7000', '--redis-url=redis://b:7001']).settings
        .redis,
      {
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
        cluster: true,
        password: 'pw',
        db: 0,
        tls: false,
      },
    );
    assert.throws(
      () => readCommandLine(['--redis-url=redis://:hunter2@a/1', '--redis-url=redis://b']),
      (error: Error) =>
        configError(
          '--redis-url',
          /^Invalid --redis-url value \(a Redis Cluster has only database 0\)$/,
        )(error) && !error.message.includes('hunter2'),
    );
    assert.throws(
      () => readCommandLine(['--redis-url=redis://a', '--redis-url']),
      configError('--redis-url', /Missing value/),
    );
  });
});
