import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import type { RedisConfig } from '@gw/config';
import { createTestCertificates } from '@gw/testkit';
import { RedisTlsFileError, redisConnection } from '../src/redis-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-redis-connection-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const files = createTestCertificates(dir);
const other = createTestCertificates(mkdtempSync(join(dir, 'other-')));

const single: RedisConfig = { nodes: [{ host: 'cache', port: 6380 }], cluster: false, db: 2 };
const verify = { dontValidateHostname: false, insecure: false };

describe('redisConnection', () => {
  it('gives one plain server the same options on both links', () => {
    const config: RedisConfig = { ...single, username: 'push', password: 'pw' };
    const options = { host: 'cache', port: 6380, username: 'push', password: 'pw', db: 2 };
    assert.deepEqual(redisConnection(config), { commands: options, subscriber: [options] });
    assert.deepEqual(redisConnection({ ...single, nodes: [{ path: '/run/redis.sock' }] }), {
      commands: { path: '/run/redis.sock', db: 2 },
      subscriber: [{ path: '/run/redis.sock', db: 2 }],
    });
  });

  it('reads the TLS files once and verifies the server by default, naming it for SNI', () => {
    const { commands } = redisConnection({
      ...single,
      tls: {
        ...verify,
        caPath: files.caPath,
        certPath: files.clientCertPath,
        keyPath: files.clientKeyPath,
      },
    });
    const tls = (commands as { tls: ConnectionOptions }).tls;
    assert.deepEqual(tls, {
      ca: readFileSync(files.caPath),
      cert: readFileSync(files.clientCertPath),
      key: readFileSync(files.clientKeyPath),
      rejectUnauthorized: true,
      servername: 'cache',
    });
  });

  it('relaxes the checks as asked, and sends no IP address as SNI', () => {
    const { commands } = redisConnection({
      ...single,
      nodes: [{ host: '10.0.0.5', port: 6379 }],
      tls: { dontValidateHostname: true, insecure: true },
    });
    const tls = (commands as { tls: ConnectionOptions }).tls;
    assert.equal(tls.rejectUnauthorized, false);
    assert.equal(tls.checkServerIdentity?.('other.example', {} as never), undefined);
    assert.equal(tls.servername, undefined);
  });

  it('gives a cluster its seeds with shared options, and the subscriber every node', () => {
    const config: RedisConfig = {
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      cluster: true,
      password: 'pw',
      db: 0,
      tls: { ...verify, caPath: files.caPath },
    };
    const { commands, subscriber } = redisConnection(config);
    const ca = readFileSync(files.caPath);
    assert.deepEqual(commands, {
      seeds: config.nodes,
      nodeOptions: { password: 'pw', db: 0, tls: { ca, rejectUnauthorized: true } },
    });
    assert.deepEqual(
      subscriber.map((node) => [node.host, node.port, node.tls?.servername]),
      [
        ['n1', 7000, 'n1'],
        ['n2', 7001, 'n2'],
      ],
    );
  });

  it('stops with a clear error for a missing or broken file, or a key that does not fit', () => {
    const missing = join(dir, 'missing.pem');
    assert.throws(
      () => redisConnection({ ...single, tls: { ...verify, caPath: missing } }),
      (error: unknown) =>
        error instanceof RedisTlsFileError &&
        error.message === `Cannot read REDIS_TLS_CA (ssl_context.cafile) ${missing}: ENOENT`,
    );
    const mismatched = {
      ...verify,
      certPath: files.clientCertPath,
      keyPath: other.clientKeyPath,
    };
    assert.throws(
      () => redisConnection({ ...single, tls: mismatched }),
      (error: unknown) =>
        error instanceof RedisTlsFileError &&
        /^REDIS_TLS_CERT .* and REDIS_TLS_KEY .* are not a PEM certificate and its key: .*key values mismatch/.test(
          error.message,
        ),
    );
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    assert.throws(
      () => redisConnection({ ...single, tls: { ...verify, caPath: garbage } }),
      (error: unknown) =>
        error instanceof RedisTlsFileError &&
        error.message === `REDIS_TLS_CA (ssl_context.cafile) ${garbage} holds no PEM certificate`,
    );
    assert.throws(
      () =>
        redisConnection({
          ...single,
          tls: { ...verify, certPath: garbage, keyPath: files.clientKeyPath },
        }),
      RedisTlsFileError,
    );
  });
});
