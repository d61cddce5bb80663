import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { settingsFromEnv, withDotEnv } from '../src/environment.js';
import { configError, tempDir } from './temp-dir.js';

describe('settingsFromEnv', () => {
  it('reads every environment variable', () => {
    const settings = settingsFromEnv({
      DATABASE_URL: 'mysql://u:p@db/nc',
      DATABASE_PREFIX: 'nc_',
      REDIS_URL: 'rediss://:pw@cache:6380/1',
      NEXTCLOUD_URL: 'http://nextcloud.local/sub',
      PORT: '7000',
      BIND: '0.0.0.0',
      LOG: 'notify_push=info,warn',
      MAX_DEBOUNCE_TIME: '5',
      MAX_CONNECTION_TIME: '60',
      DEBOUNCE_DISABLE: '',
      ALLOW_SELF_SIGNED: 'true',
      NO_ANSI: 'true',
      USER_AGENT: 'gw',
    });
    assert.deepEqual(settings, {
      databaseUrl: 'mysql://u:p@db/nc',
      databasePrefix: 'nc_',
      redis: {
        nodes: [{ host: 'cache', port: 6380 }],
        cluster: false,
        password: 'pw',
        db: 1,
        tls: true,
      },
      nextcloudUrl: 'http://nextcloud.local/sub/',
      port: 7000,
      bind: '0.0.0.0',
      logLevel: 'info',
      maxDebounceTime: 5,
      maxConnectionTime: 60,
      debounceDisable: true,
      allowSelfSigned: true,
      noAnsi: true,
      userAgent: 'gw',
    });
  });

  it('turns ALLOW_SELF_SIGNED and NO_ANSI on only for exactly "true"', () => {
    assert.deepEqual(settingsFromEnv({ ALLOW_SELF_SIGNED: '1', NO_ANSI: 'TRUE' }), {
      allowSelfSigned: false,
      noAnsi: false,
    });
  });

  it('treats empty values as unset, except the DEBOUNCE_DISABLE presence switch', () => {
    assert.deepEqual(settingsFromEnv({ PORT: '', DATABASE_URL: '', DEBOUNCE_DISABLE: '' }), {
      debounceDisable: true,
    });
    assert.deepEqual(settingsFromEnv({}), {});
  });

  it('rejects invalid values with upstream wording, never quoting a URL', () => {
    assert.throws(
      () => settingsFromEnv({ PORT: 'abc' }),
      configError('PORT', /^Invalid PORT environment variable: "abc" \(/),
    );
    assert.throws(
      () => settingsFromEnv({ BIND: 'example.com' }),
      configError('BIND', /Invalid BIND environment variable/),
    );
    assert.throws(
      () => settingsFromEnv({ MAX_DEBOUNCE_TIME: 'soon' }),
      configError('MAX_DEBOUNCE_TIME'),
    );
    assert.throws(() => settingsFromEnv({ LOG: 'a=b=c' }), configError('LOG', /invalid part/));
    assert.throws(
      () => settingsFromEnv({ DATABASE_URL: 'oracle://u:hunter2@db' }),
      (error: Error) =>
        configError(
          'DATABASE_URL',
          /^Invalid DATABASE_URL environment variable \(unsupported scheme/,
        )(error) && !error.message.includes('hunter2'),
    );
    assert.throws(
      () => settingsFromEnv({ REDIS_URL: 'redis://:hunter2@cache/x' }),
      (error: Error) =>
        configError('REDIS_URL', /database number/)(error) && !error.message.includes('hunter2'),
    );
  });

  it('reads the Redis TLS variables, the switches as 0 or 1 as upstream', () => {
    assert.deepEqual(
      settingsFromEnv({
        REDIS_TLS_CERT: '/c.pem',
        REDIS_TLS_KEY: '/k.pem',
        REDIS_TLS_CA: '/ca.pem',
        REDIS_TLS_DONT_VALIDATE_HOSTNAME: '1',
        REDIS_TLS_INSECURE: '0',
      }),
      {
        redisTlsCert: '/c.pem',
        redisTlsKey: '/k.pem',
        redisTlsCa: '/ca.pem',
        redisTlsDontValidateHostname: true,
        redisTlsInsecure: false,
      },
    );
    assert.deepEqual(settingsFromEnv({ REDIS_TLS_INSECURE: '255', REDIS_TLS_CA: '' }), {
      redisTlsInsecure: true,
    });
    for (const value of ['true', 'yes', '256', '-1', '1.0']) {
      assert.throws(
        () => settingsFromEnv({ REDIS_TLS_INSECURE: value }),
        configError(
          'REDIS_TLS_INSECURE',
          /^Invalid REDIS_TLS_INSECURE environment variable: ".*" \(expected 0 or 1\)$/,
        ),
        value,
      );
    }
    assert.throws(
      () => settingsFromEnv({ REDIS_TLS_DONT_VALIDATE_HOSTNAME: 'on' }),
      configError('REDIS_TLS_DONT_VALIDATE_HOSTNAME'),
    );
  });
});

describe('withDotEnv', () => {
  const { dir, write } = tempDir();
  write('.env', '# settings\nPORT=7001\nexport BIND=127.0.0.1\nUSER_AGENT="from dotenv"\n');

  it('fills in variables from .env in the working directory, the real environment winning', () => {
    const env = withDotEnv({ PORT: '7002', OTHER: 'x' }, dir);
    assert.equal(env.PORT, '7002');
    assert.equal(env.BIND, '127.0.0.1');
    assert.equal(env.USER_AGENT, 'from dotenv');
    assert.equal(env.OTHER, 'x');
  });

  it('leaves the environment alone when there is no .env', () => {
    write('without-dotenv/readme.txt', 'no .env here');
    const env = { PORT: '1' };
    assert.equal(withDotEnv(env, join(dir, 'without-dotenv')), env);
  });

  it('names .env when it cannot be read', () => {
    write('broken/.env/inner', '');
    assert.throws(() => withDotEnv({}, join(dir, 'broken')), configError('.env', /Failed to read/));
  });
});
