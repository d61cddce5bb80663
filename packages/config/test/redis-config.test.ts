import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisConfig } from '../src/redis-config.js';
import type { RedisLocation } from '../src/redis-location.js';
import { configError } from './temp-dir.js';

const server = { nodes: [{ host: 'cache', port: 6380 }], cluster: false, db: 0 };
const plain: RedisLocation = { ...server, tls: false };
const tls: RedisLocation = { ...server, tls: true };

describe('redisConfig', () => {
  it('leaves a plain server without TLS settings', () => {
    assert.deepEqual(redisConfig(plain, {}, {}), server);
    assert.deepEqual(
      redisConfig(plain, { redisTlsInsecure: false, redisTlsDontValidateHostname: false }, {}),
      server,
      'switches turned off explicitly (REDIS_TLS_INSECURE=0) are no TLS settings',
    );
  });

  it('gives a TLS server the system CAs and full verification by default', () => {
    assert.deepEqual(redisConfig(tls, {}, {}), {
      ...server,
      tls: { dontValidateHostname: false, insecure: false },
    });
  });

  it("takes each TLS setting from the flags or environment, else from config.php's ssl_context", () => {
    const fromFile = {
      caPath: '/php/ca.pem',
      certPath: '/php/cert.pem',
      keyPath: '/php/key.pem',
      dontValidateHostname: true,
      insecure: true,
    };
    assert.deepEqual(redisConfig(tls, {}, fromFile), { ...server, tls: fromFile });
    assert.deepEqual(
      redisConfig(
        tls,
        {
          redisTlsCa: '/env/ca.pem',
          redisTlsCert: '/env/cert.pem',
          redisTlsKey: '/env/key.pem',
          redisTlsInsecure: false,
        },
        fromFile,
      ),
      {
        ...server,
        tls: {
          caPath: '/env/ca.pem',
          certPath: '/env/cert.pem',
          keyPath: '/env/key.pem',
          dontValidateHostname: true,
          insecure: false,
        },
      },
    );
  });

  it('needs a client certificate and its key together', () => {
    assert.throws(
      () => redisConfig(tls, { redisTlsCert: '/c.pem' }, {}),
      configError('REDIS_TLS_KEY', /REDIS_TLS_CERT .* is set but REDIS_TLS_KEY .* is not/),
    );
    assert.throws(
      () => redisConfig(tls, {}, { keyPath: '/k.pem' }),
      configError('REDIS_TLS_CERT', /ssl_context\.local_pk\) is set but REDIS_TLS_CERT/),
    );
  });

  it('refuses TLS settings for a server that is not reached over TLS', () => {
    const cases: [Parameters<typeof redisConfig>[1], string][] = [
      [{ redisTlsCa: '/ca.pem' }, 'REDIS_TLS_CA'],
      [{ redisTlsCert: '/c.pem', redisTlsKey: '/k.pem' }, 'REDIS_TLS_CERT'],
      [{ redisTlsKey: '/k.pem' }, 'REDIS_TLS_KEY'],
      [{ redisTlsDontValidateHostname: true }, 'REDIS_TLS_DONT_VALIDATE_HOSTNAME'],
      [{ redisTlsInsecure: true }, 'REDIS_TLS_INSECURE'],
    ];
    for (const [given, name] of cases) {
      assert.throws(
        () => redisConfig(plain, given, {}),
        configError(name, /is set, but Redis is not reached over TLS: use a rediss:\/\/ URL/),
        name,
      );
    }
  });
});
