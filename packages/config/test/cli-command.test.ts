import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../src/index.js';
import { configError, tempDir } from './temp-dir.js';

const { dir } = tempDir();
const env = {
  NEXTCLOUD_URL: 'http://nc.local',
  DATABASE_URL: 'postgres://u:p@db/nc',
  REDIS_URL: 'redis://cache',
};

describe('parseCommandLine', () => {
  it('runs with the configuration by default', () => {
    const command = parseCommandLine(['-p', '8000'], env, { cwd: dir });
    assert.equal(command.kind, 'run');
    assert.equal(command.kind === 'run' && command.config.port, 8000);
  });

  it('answers --help and --version without reading any configuration', () => {
    assert.deepEqual(parseCommandLine(['--help'], {}, { cwd: dir }), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-h', '--version'], {}, { cwd: dir }), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['--version', '/no/such/config.php'], {}, { cwd: dir }), {
      kind: 'version',
    });
  });

  it('returns the configuration to print for --dump-config', () => {
    const command = parseCommandLine(['--dump-config'], env, { cwd: dir });
    assert.equal(command.kind, 'dump-config');
    assert.equal(command.kind === 'dump-config' && command.config.databaseUrl, env.DATABASE_URL);
  });

  it('still stops on a bad configuration for --dump-config', () => {
    assert.throws(
      () => parseCommandLine(['--dump-config'], {}, { cwd: dir }),
      configError('DATABASE_URL'),
    );
  });
});
