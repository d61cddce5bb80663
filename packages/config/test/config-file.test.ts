import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readNextcloudConfig } from '../src/config-file.js';
import { configError, tempDir } from './temp-dir.js';

const { write } = tempDir();

const mainConfig = write(
  'multiple/config.php',
  `<?php
$CONFIG = [
	'overwrite.cli.url' => 'https://cloud.example.com',
	'redis' => ['host' => 'localhost'],
	'dbtype' => 'sqlite3',
	'dbname' => 'nextcloud',
	'datadirectory' => '/nc',
];
`,
);
write(
  'multiple/db.config.php',
  `<?php
$CONFIG = [
	'dbtype' => 'mysql',
	'dbname' => 'nextcloud',
	'dbhost' => '127.0.0.1',
	'dbport' => '',
	'dbtableprefix' => 'nc_',
	'dbuser' => 'nextcloud',
	'dbpassword' => 'secret',
];
`,
);
write('multiple/z.config.php', `<?php $CONFIG = ['dbtableprefix' => 'last_'];`);
write('multiple/other.php', `<?php\n// not a *.config.php, never read\n$a = getenv('X');`);

describe('readNextcloudConfig', () => {
  it('reads only the given file by default', () => {
    const config = readNextcloudConfig(mainConfig, false);
    assert.equal(config.nextcloudUrl, 'https://cloud.example.com/');
    assert.equal(config.databasePrefix, undefined);
    assert.equal(config.databaseUrl(), 'sqlite:///nc/nextcloud.db');
    assert.deepEqual(config.redis(), {
      location: { nodes: [{ host: '127.0.0.1', port: 6379 }], cluster: false, db: 0, tls: false },
      tls: {},
    });
  });

  it('with glob, merges every *.config.php beside it in name order', () => {
    const config = readNextcloudConfig(mainConfig, true);
    assert.equal(
      config.databaseUrl(),
      'mysql://nextcloud:secret@127.0.0.1/nextcloud?ssl-mode=disabled',
    );
    assert.equal(config.databasePrefix, 'last_');
    assert.equal(config.nextcloudUrl, 'https://cloud.example.com/');
  });

  it('requires overwrite.cli.url and checks that it is an http(s) URL', () => {
    const noUrl = write('no-url.php', `<?php $CONFIG = ['dbtype' => 'pgsql'];`);
    assert.throws(
      () => readNextcloudConfig(noUrl, false),
      configError('overwrite.cli.url', /^`overwrite\.cli\.url` not set/),
    );
    const emptyUrl = write('empty-url.php', `<?php $CONFIG = ['overwrite.cli.url' => ''];`);
    assert.throws(
      () => readNextcloudConfig(emptyUrl, false),
      configError('overwrite.cli.url', /not set/),
    );
    const badUrl = write(
      'bad-url.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'cloud.example.com'];`,
    );
    assert.throws(
      () => readNextcloudConfig(badUrl, false),
      configError('overwrite.cli.url', /Invalid overwrite\.cli\.url/),
    );
  });

  it('validates dbtableprefix and builds the database URL only when asked', () => {
    const badPrefix = write(
      'bad-prefix.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc', 'dbtableprefix' => 'oc_; DROP TABLE x'];`,
    );
    assert.throws(() => readNextcloudConfig(badPrefix, false), configError('dbtableprefix'));
    const oracle = write(
      'oracle.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc', 'dbtype' => 'oci'];`,
    );
    const config = readNextcloudConfig(oracle, false);
    assert.throws(() => config.databaseUrl(), configError('dbtype', /unsupported database type/));
  });

  it('names the file it cannot read or parse', () => {
    assert.throws(
      () => readNextcloudConfig(`${mainConfig}.missing`, false),
      configError('CONFIG_FILE', /Failed to read config file .*config\.php\.missing: ENOENT/),
    );
    const broken = write(
      'glob/config.php',
      `<?php $CONFIG = ['overwrite.cli.url' => 'http://nc'];`,
    );
    write('glob/evil.config.php', `<?php\n$CONFIG = ['dbpassword' => getenv('PW')];`);
    assert.throws(
      () => readNextcloudConfig(broken, true),
      configError('CONFIG_FILE', /evil\.config\.php:2: the function call getenv/),
    );
  });
});
