import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usage } from '../src/index.js';

describe('usage', () => {
  it('lists every flag and environment variable with its default', () => {
    const settings: [string, string, string][] = [
      ['--database-url', 'DATABASE_URL', 'built from config.php'],
      ['--database-prefix', 'DATABASE_PREFIX', 'oc_'],
      ['--redis-url', 'REDIS_URL', '127.0.0.1:6379'],
      ['--nextcloud-url', 'NEXTCLOUD_URL', 'overwrite.cli.url'],
      ['-p, --port', 'PORT', '7867'],
      ['--bind', 'BIND', '::'],
      ['--log-level', 'LOG', 'warn'],
      ['--max-debounce-time', 'MAX_DEBOUNCE_TIME', '15'],
      ['--max-connection-time', 'MAX_CONNECTION_TIME', '0'],
      ['--debounce-disable', 'DEBOUNCE_DISABLE', 'off'],
      ['--allow-self-signed', 'ALLOW_SELF_SIGNED', 'off'],
      ['--no-ansi', 'NO_ANSI', 'off'],
      ['--user-agent', 'USER_AGENT', 'none'],
      ['--redis-tls-cert', 'REDIS_TLS_CERT', 'local_cert'],
      ['--redis-tls-key', 'REDIS_TLS_KEY', 'local_pk'],
      ['--redis-tls-ca', 'REDIS_TLS_CA', 'system CAs'],
      ['--redis-tls-dont-validate-hostname', 'REDIS_TLS_DONT_VALIDATE_HOSTNAME', 'off'],
      ['--redis-tls-insecure', 'REDIS_TLS_INSECURE', 'off'],
    ];
    for (const [flag, env, defaultText] of settings) {
      const at = usage.indexOf(flag);
      assert.ok(at >= 0, flag);
      const entry = usage.slice(at, usage.indexOf('[default:', at) + 200);
      assert.ok(entry.includes(`[env: ${env}]`), env);
      assert.ok(entry.split('[default:')[1]?.split(']')[0]?.includes(defaultText), defaultText);
    }
    for (const flag of [
      '[CONFIG_FILE]',
      '--glob-config',
      '--dump-config',
      '--version',
      '-h, --help',
    ]) {
      assert.ok(usage.includes(flag), flag);
    }
  });

  it('says that --redis-url repeats for a cluster and has nothing left unsupported', () => {
    assert.match(usage, /--redis-url <URL>.*\n.*repeat for a cluster/);
    assert.doesNotMatch(usage, /not supported/i);
  });

  it('fits in 100 columns', () => {
    for (const line of usage.split('\n')) assert.ok(line.length <= 100, line);
  });
});
