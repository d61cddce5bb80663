import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, redactConfig } from '../src/index.js';
import { tempDir } from './temp-dir.js';

const { dir } = tempDir();

describe('redactConfig', () => {
  it('hides the database, Redis and Nextcloud URL passwords and keeps the rest', () => {
    const config = loadConfig({
      argv: [],
      env: {
        NEXTCLOUD_URL: 'https://admin:nc-s3cret@cloud.example.com',
        DATABASE_URL: 'postgres://nextcloud:db-s3cret@db/nextcloud?password=query-s3cret',
        REDIS_URL: 'redis://default:redis-s3cret@cache:6379/1',
      },
      cwd: dir,
    });
    const redacted = redactConfig(config);
    const printed = JSON.stringify(redacted);
    assert.doesNotMatch(printed, /s3cret/);
    assert.equal(redacted.databaseUrl, 'postgres://nextcloud:***@db/nextcloud?password=***');
    assert.equal(redacted.nextcloudUrl, 'https://admin:***@cloud.example.com/');
    assert.deepEqual(redacted.redis, {
      nodes: [{ host: 'cache', port: 6379 }],
      cluster: false,
      username: 'default',
      password: '***',
      db: 1,
    });
    assert.equal(redacted.port, config.port);
    assert.match(config.databaseUrl, /db-s3cret/, 'the original is left alone');
  });

  it('leaves a configuration without passwords as it is', () => {
    const config = loadConfig({
      argv: [],
      env: {
        NEXTCLOUD_URL: 'http://nc/',
        DATABASE_URL: 'sqlite:///var/nc/owncloud.db',
        REDIS_URL: 'redis://cache',
      },
      cwd: dir,
    });
    assert.deepEqual(redactConfig(config), config);
  });
});
