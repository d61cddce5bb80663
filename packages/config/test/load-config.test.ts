import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Config, loadConfig } from '../src/index.js';
import { configError, tempDir } from './temp-dir.js';

const { dir, write } = tempDir();

write(
  'nextcloud/config.php',
  `<?php
$CONFIG = array (
  'overwrite.cli.url' => 'https://cloud.example.com',
  'dbtype' => 'pgsql',
  'dbhost' => 'db',
  'dbname' => 'nextcloud',
  'dbuser' => 'nc',
  'dbpassword' => 'php-secret',
  'dbtableprefix' => 'nc_',
  'redis' => array('host' => 'redis', 'port' => 6379, 'password' => 'redis-secret'),
);
`,
);
/** What the Solid settings default to for a Nextcloud URL and a PostgreSQL database. */
function solidDefaults(nextcloudUrl: string, databaseUrl: string): Config['solid'] {
  return {
    nextcloudUrl,
    publicUrl: `${nextcloudUrl}push/`,
    databaseUrl,
    maxChannelDuration: 1_209_600,
    channelQuota: 1_000,
    oidcIssuers: [nextcloudUrl],
    webIdTemplates: [],
    webhooks: {
      allowedDestinations: [],
      worker: true,
      retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      disableAfterMs: 432_000_000,
      timeoutMs: 15_000,
    },
  };
}

const phpOnly: Config = {
  nextcloudUrl: 'https://cloud.example.com/',
  databaseUrl: 'postgresql://nc:php-secret@db/nextcloud',
  databasePrefix: 'nc_',
  redis: {
    nodes: [{ host: 'redis', port: 6379 }],
    cluster: false,
    password: 'redis-secret',
    db: 0,
  },
  port: 7867,
  bind: '::',
  logLevel: 'warn',
  maxDebounceTime: 15,
  maxConnectionTime: 0,
  debounceDisable: false,
  allowSelfSigned: false,
  noAnsi: false,
  userAgent: undefined,
  socketPath: undefined,
  socketPermissions: 0o660,
  metricsPort: undefined,
  metricsSocketPath: undefined,
  tls: undefined,
  solid: solidDefaults('https://cloud.example.com/', 'postgresql://nc:php-secret@db/nextcloud'),
  adminPassword: undefined,
};
const envOnly = {
  NEXTCLOUD_URL: 'http://nc.local',
  DATABASE_URL: 'postgres://u:p@db/nc',
  REDIS_URL: 'redis://cache',
};

const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => loadConfig({ argv, env, cwd: dir });

describe('loadConfig', () => {
  it('takes everything from config.php (relative to cwd), with notify_push defaults', () => {
    assert.deepEqual(load(['nextcloud/config.php']), phpOnly);
  });

  it('runs from the environment alone, with the same defaults', () => {
    assert.deepEqual(load([], envOnly), {
      ...phpOnly,
      nextcloudUrl: 'http://nc.local/',
      databaseUrl: 'postgres://u:p@db/nc',
      databasePrefix: 'oc_',
      redis: { nodes: [{ host: 'cache', port: 6379 }], cluster: false, db: 0 },
      solid: solidDefaults('http://nc.local/', 'postgres://u:p@db/nc'),
    });
  });

  it('prefers flags over the environment over config.php, field by field', () => {
    const env = {
      DATABASE_PREFIX: 'env_',
      PORT: '8000',
      BIND: '127.0.0.1',
      REDIS_URL: 'redis://env-cache:6390',
      NEXTCLOUD_URL: 'http://env.local',
    };
    const config = load(
      ['nextcloud/config.php', '--port', '9000', '--nextcloud-url=http://flag.local'],
      env,
    );
    assert.deepEqual(config, {
      ...phpOnly,
      port: 9000,
      bind: '127.0.0.1',
      nextcloudUrl: 'http://flag.local/',
      databasePrefix: 'env_',
      redis: { nodes: [{ host: 'env-cache', port: 6390 }], cluster: false, db: 0 },
      solid: solidDefaults('http://flag.local/', 'postgresql://nc:php-secret@db/nextcloud'),
    });
  });

  it('turns Solid on with the Nextcloud database when that is PostgreSQL, and off otherwise', () => {
    const mysql = { ...envOnly, DATABASE_URL: 'mysql://nc:p@db/nc' };
    assert.equal(load([], mysql).solid, undefined);
    assert.equal(
      load([], { ...mysql, GATEWAY_DATABASE_URL: 'postgres://gw@db/gateway' }).solid?.databaseUrl,
      'postgres://gw@db/gateway',
    );
  });

  it('reads the Solid settings from flags and the environment, lists from either', () => {
    const solid = load(
      [
        '--solid-oidc-issuer',
        'https://idp.example.com',
        '--solid-oidc-issuer=https://nc.example.com/',
      ],
      {
        ...envOnly,
        NEXTCLOUD_PUBLIC_URL: 'https://cloud.example.com',
        PUBLIC_URL: 'https://cloud.example.com/notify',
        SOLID_MAX_CHANNEL_DURATION: '3600',
        SOLID_CHANNEL_QUOTA: '5',
        SOLID_WEBID_TEMPLATES: 'https://id.example.com/{uid}#me, https://nc/u/{uid}/card#i',
      },
    ).solid;
    assert.deepEqual(solid, {
      nextcloudUrl: 'https://cloud.example.com/',
      publicUrl: 'https://cloud.example.com/notify/',
      databaseUrl: 'postgres://u:p@db/nc',
      maxChannelDuration: 3600,
      channelQuota: 5,
      oidcIssuers: ['https://idp.example.com', 'https://nc.example.com/'],
      webIdTemplates: ['https://id.example.com/{uid}#me', 'https://nc/u/{uid}/card#i'],
      webhooks: (solidDefaults('http://nc.local/', '') as NonNullable<Config['solid']>).webhooks,
    });
  });

  it('reads the webhook settings', () => {
    const config = load(
      ['--webhook-allowed-destination', '127.0.0.0/8', '--webhook-worker-disable'],
      {
        ...envOnly,
        WEBHOOK_ALLOWED_DESTINATIONS: '::1',
        WEBHOOK_RETRY_SCHEDULE: '0.05, 0.1,2',
        WEBHOOK_DISABLE_AFTER: '60',
        WEBHOOK_TIMEOUT: '5',
        ADMIN_PASSWORD: 'correct horse battery',
      },
    );
    assert.deepEqual(config.solid?.webhooks, {
      allowedDestinations: ['127.0.0.0/8'],
      worker: false,
      retryScheduleMs: [50, 100, 2_000],
      disableAfterMs: 60_000,
      timeoutMs: 5_000,
    });
    assert.equal(config.adminPassword, 'correct horse battery');
  });

  it('refuses malformed webhook settings without repeating a password', () => {
    assert.throws(
      () => load([], { ...envOnly, WEBHOOK_ALLOWED_DESTINATIONS: '10.0.0.0/33' }),
      configError('WEBHOOK_ALLOWED_DESTINATIONS'),
    );
    assert.throws(
      () => load([], { ...envOnly, WEBHOOK_RETRY_SCHEDULE: '5,soon' }),
      configError('WEBHOOK_RETRY_SCHEDULE'),
    );
    assert.throws(
      () => load([], { ...envOnly, WEBHOOK_TIMEOUT: '60' }),
      configError('WEBHOOK_TIMEOUT'),
    );
    assert.throws(
      () => load([], { ...envOnly, ADMIN_PASSWORD: 'short-pw' }),
      (err: Error) => /ADMIN_PASSWORD/.test(err.message) && !err.message.includes('short-pw'),
    );
  });

  it('refuses a channel store that is not PostgreSQL, and malformed Solid settings', () => {
    assert.throws(
      () => load([], { ...envOnly, GATEWAY_DATABASE_URL: 'mysql://root:secret@db/gw' }),
      (err: Error) =>
        /GATEWAY_DATABASE_URL.*PostgreSQL/.test(err.message) && !err.message.includes('secret'),
    );
    assert.throws(
      () => load([], { ...envOnly, SOLID_CHANNEL_QUOTA: '0' }),
      configError('SOLID_CHANNEL_QUOTA'),
    );
    assert.throws(
      () => load([], { ...envOnly, SOLID_WEBID_TEMPLATES: 'https://id.example.com/me' }),
      configError('SOLID_WEBID_TEMPLATES', /\{uid\}/),
    );
    assert.throws(
      () => load(['--solid-oidc-issuer', 'ftp://idp'], envOnly),
      configError('--solid-oidc-issuer'),
    );
  });

  it('lets an environment switch stand when no flag is given, and a flag turn it on', () => {
    assert.equal(load([], { ...envOnly, ALLOW_SELF_SIGNED: 'true' }).allowSelfSigned, true);
    assert.equal(
      load(['--allow-self-signed'], { ...envOnly, ALLOW_SELF_SIGNED: 'no' }).allowSelfSigned,
      true,
    );
    assert.equal(load(['--debounce-disable'], envOnly).debounceDisable, true);
  });

  it('does not need config.php database or Redis keys that the environment overrides', () => {
    write(
      'partial/config.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc', 'dbtype' => 'oci', 'redis.cluster' => ['seeds' => ['a:1']]];`,
    );
    const config = load(['partial/config.php'], {
      DATABASE_URL: 'postgres://db/nc',
      REDIS_URL: 'redis://r',
    });
    assert.equal(config.databaseUrl, 'postgres://db/nc');
    assert.deepEqual(config.redis, { nodes: [{ host: 'r', port: 6379 }], cluster: false, db: 0 });
    assert.throws(() => load(['partial/config.php']), configError('dbtype'));
  });

  it('still requires overwrite.cli.url in a given config.php, as upstream does', () => {
    write('no-url/config.php', `<?php $CONFIG = ['dbtype' => 'pgsql'];`);
    assert.throws(
      () => load(['no-url/config.php'], envOnly),
      configError('overwrite.cli.url', /not set/),
    );
  });

  it('reads settings from a .env file in the working directory', () => {
    const withDotEnv = tempDir();
    withDotEnv.write(
      '.env',
      'NEXTCLOUD_URL=http://dotenv.local\nDATABASE_URL=postgres://db/nc\nREDIS_URL=redis://r\nPORT=7100\n',
    );
    const config = loadConfig({ argv: [], env: { PORT: '7200' }, cwd: withDotEnv.dir });
    assert.equal(config.nextcloudUrl, 'http://dotenv.local/');
    assert.equal(config.port, 7200);
  });

  it('stops when a required server is missing, with upstream wording', () => {
    assert.throws(
      () => load([], {}),
      configError('DATABASE_URL', /^No database server is configured/),
    );
    assert.throws(
      () => load([], { DATABASE_URL: envOnly.DATABASE_URL }),
      configError('REDIS_URL', /^No redis server is configured/),
    );
    assert.throws(
      () => load([], { DATABASE_URL: envOnly.DATABASE_URL, REDIS_URL: envOnly.REDIS_URL }),
      configError('NEXTCLOUD_URL', /^No nextcloud server is configured/),
    );
  });

  it('reads the socket, metrics and TLS settings', () => {
    const config = load(['-m', '9100', '--tls-cert', '/c.pem'], {
      ...envOnly,
      SOCKET_PATH: '/run/push.sock',
      SOCKET_PERMISSIONS: '0600',
      METRICS_SOCKET_PATH: '/run/metrics.sock',
      TLS_KEY: '/k.pem',
    });
    assert.equal(config.socketPath, '/run/push.sock');
    assert.equal(config.socketPermissions, 0o600);
    assert.equal(config.metricsPort, 9100);
    assert.equal(config.metricsSocketPath, '/run/metrics.sock');
    assert.deepEqual(config.tls, { certPath: '/c.pem', keyPath: '/k.pem' });
  });

  it("merges the Redis TLS settings: flag, else variable, else the config.php server's ssl_context", () => {
    write(
      'tls/config.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc', 'redis' => ['host' => 'tls://cache', 'port' => 6380, 'ssl_context' => ['cafile' => '/php/ca.pem', 'local_cert' => '/php/c.pem', 'local_pk' => '/php/k.pem', 'verify_peer_name' => false]]];`,
    );
    const env = { DATABASE_URL: envOnly.DATABASE_URL };
    assert.deepEqual(load(['tls/config.php'], env).redis, {
      nodes: [{ host: 'cache', port: 6380 }],
      cluster: false,
      db: 0,
      tls: {
        caPath: '/php/ca.pem',
        certPath: '/php/c.pem',
        keyPath: '/php/k.pem',
        dontValidateHostname: true,
        insecure: false,
      },
    });
    const overridden = load(['tls/config.php', '--redis-tls-ca=/flag/ca.pem'], {
      ...env,
      REDIS_TLS_CA: '/env/ca.pem',
      REDIS_TLS_INSECURE: '1',
      REDIS_TLS_DONT_VALIDATE_HOSTNAME: '0',
    }).redis.tls;
    assert.deepEqual(overridden, {
      caPath: '/flag/ca.pem',
      certPath: '/php/c.pem',
      keyPath: '/php/k.pem',
      dontValidateHostname: false,
      insecure: true,
    });
    assert.deepEqual(
      load(['tls/config.php'], { ...env, REDIS_URL: 'rediss://other' }).redis.tls,
      { dontValidateHostname: false, insecure: false },
      'ssl_context belongs to the config.php server, not to REDIS_URL',
    );
  });

  it('builds a Redis Cluster from repeated --redis-url or config.php redis.cluster', () => {
    write(
      'cluster/config.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc', 'redis.cluster' => ['seeds' => ['n1:7000', 'n2:7001'], 'user' => 'push', 'password' => 'pw']];`,
    );
    const cluster = {
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      cluster: true,
      username: 'push',
      password: 'pw',
      db: 0,
    };
    const env = { DATABASE_URL: envOnly.DATABASE_URL };
    assert.deepEqual(load(['cluster/config.php'], env).redis, cluster);
    assert.deepEqual(
      load(['--redis-url=redis://push:pw@n1:7000', '--redis-url=redis://n2:7001'], envOnly).redis,
      cluster,
    );
  });

  it('names the key in every error it raises', () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['--port=x'], envOnly, '--port'],
      [[], { ...envOnly, PORT: 'x' }, 'PORT'],
      [[], { ...envOnly, METRICS_PORT: 'nine' }, 'METRICS_PORT'],
      [[], { ...envOnly, SOCKET_PERMISSIONS: '999' }, 'SOCKET_PERMISSIONS'],
      [[], { ...envOnly, TLS_CERT: '/c.pem' }, 'TLS_KEY'],
      [[], { ...envOnly, TLS_KEY: '/k.pem' }, 'TLS_CERT'],
      [['--glob-config'], envOnly, '--glob-config'],
      [['missing/config.php'], envOnly, 'CONFIG_FILE'],
      [['--nope'], envOnly, '--nope'],
      [[], { ...envOnly, REDIS_TLS_CA: '/ca.pem' }, 'REDIS_TLS_CA'],
      [[], { ...envOnly, REDIS_URL: 'rediss://r', REDIS_TLS_CERT: '/c.pem' }, 'REDIS_TLS_KEY'],
      [[], { ...envOnly, REDIS_TLS_INSECURE: 'true' }, 'REDIS_TLS_INSECURE'],
    ];
    for (const [argv, env, key] of cases) {
      assert.throws(
        () => load(argv, env),
        (error: Error) =>
          configError(key)(error) && (key === 'CONFIG_FILE' || error.message.includes(key)),
        key,
      );
    }
  });
});
