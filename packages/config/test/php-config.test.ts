import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhpConfig } from '../src/index.js';
import { configError } from './temp-dir.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('parsePhpConfig', () => {
  it('reads a config.php written by Nextcloud with array()', () => {
    const config = parsePhpConfig(`<?php
$CONFIG = array (
  'instanceid' => 'oc1234',
  'trusted_domains' =>
  array (
    0 => 'cloud.example.com',
    1 => 'localhost',
  ),
  'dbtype' => 'pgsql',
  'dbport' => 5433,
  'redis' => array('host' => '/run/redis.sock', 'port' => 0, 'dbindex' => -1),
  'maintenance' => false,
  'debug' => TRUE,
  'ratio' => 1.5,
  'nothing' => NULL,
);
`);
    assert.deepEqual(plain(config), {
      instanceid: 'oc1234',
      trusted_domains: { 0: 'cloud.example.com', 1: 'localhost' },
      dbtype: 'pgsql',
      dbport: 5433,
      redis: { host: '/run/redis.sock', port: 0, dbindex: -1 },
      maintenance: false,
      debug: true,
      ratio: 1.5,
      nothing: null,
    });
  });

  it('reads short arrays, list items, comments, trailing commas and a closing tag', () => {
    const config = parsePhpConfig(`<?php
// a comment
# another one
/* a block
   comment */
$CONFIG = [
  'apps_paths' => [['path' => '/a', 'url' => '/apps'], ['path' => '/b',],],
  'list' => ['zero', 5 => 'five', 'six', 'k' => 'v', 'seven'], // after a value
  'dup' => 1, 'dup' => 2,
];
?>
`);
    assert.deepEqual(plain(config), {
      apps_paths: { 0: { path: '/a', url: '/apps' }, 1: { path: '/b' } },
      list: { 0: 'zero', 5: 'five', 6: 'six', k: 'v', 7: 'seven' },
      dup: 2,
    });
  });

  it('decodes single- and double-quoted strings with their own escape rules', () => {
    const config = parsePhpConfig(String.raw`<?php
$CONFIG = [
  'single' => 'it\'s a \\ backslash, \n stays, "quotes" too',
  'double' => "tab\there\nA=\x41 B=\102 smile=\u{1F600} \$HOME \"q\" \q",
  'bytes' => "\xC3\xA9",
  'hash' => 'not # a comment // either',
];`);
    assert.equal(config.single, 'it\'s a \\ backslash, \\n stays, "quotes" too');
    assert.equal(config.double, 'tab\there\nA=A B=B smile=\u{1F600} $HOME "q" \\q');
    assert.equal(config.bytes, 'é');
    assert.equal(config.hash, 'not # a comment // either');
  });

  it('reads every number form and the PDO and RedisCluster constants', () => {
    const config = parsePhpConfig(String.raw`<?php
$CONFIG = [
  'ints' => [42, -7, +3, 0x1F, 0b101, 0755, 0o17, 1_000],
  'floats' => [1.5, -0.25, .5, 1e3, 2.5E-1],
  \PDO::MYSQL_ATTR_SSL_KEY => 'key', PDO::MYSQL_ATTR_SSL_CERT => 'cert',
  \PDO::MYSQL_ATTR_SSL_CA => 'ca', \PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false,
  'failover' => [\RedisCluster::FAILOVER_NONE, \RedisCluster::FAILOVER_ERROR,
    \RedisCluster::FAILOVER_DISTRIBUTE, \RedisCluster::FAILOVER_DISTRIBUTE_SLAVES],
  'bools' => [true, False, nULL],
];`);
    assert.deepEqual(plain(config.ints), {
      0: 42,
      1: -7,
      2: 3,
      3: 31,
      4: 5,
      5: 493,
      6: 15,
      7: 1000,
    });
    assert.deepEqual(plain(config.floats), { 0: 1.5, 1: -0.25, 2: 0.5, 3: 1000, 4: 0.25 });
    assert.deepEqual(
      [config[1007], config[1008], config[1009], config[1014]],
      ['key', 'cert', 'ca', false],
    );
    assert.deepEqual(plain(config.failover), { 0: 0, 1: 1, 2: 2, 3: 3 });
    assert.deepEqual(plain(config.bools), { 0: true, 1: false, 2: null });
  });

  it('keeps a "__proto__" key as data instead of changing the prototype', () => {
    const config = parsePhpConfig(`<?php $CONFIG = ['__proto__' => ['polluted' => true]];`);
    const own = Object.getOwnPropertyDescriptor(config, '__proto__');
    assert.deepEqual(plain(own?.value), { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses code instead of running it, naming file, line and what was found', () => {
    const cases: [string, RegExp][] = [
      [
        `<?php\n$CONFIG = ['dbhost' => getenv('DB_HOST')];`,
        /x\.php:2: the function call getenv\(\.\.\.\)/,
      ],
      [`<?php\n$CONFIG = [\n'a' => $other];`, /x\.php:3: the variable \$other/],
      [`<?php\n$CONFIG = ['a' => 'x' . 'y'];`, /x\.php:2: concatenation/],
      [`<?php\ninclude 'other.php';\n$CONFIG = [];`, /x\.php:2: "include"/],
      [`<?php\n$CONFIG = [];\nsystem('rm -rf /');`, /x\.php:3: the function call system/],
      [`<?php\n$CONFIG = ['a' => "x$y"];`, /x\.php:2: variable interpolation/],
      [`<?php\n$CONFIG = ['a' => "x{$y}"];`, /x\.php:2: variable interpolation/],
      [`<?php\n$CONFIG = ['a' => PHP_VERSION];`, /x\.php:2: the constant PHP_VERSION/],
      [`<?php\n$CONFIG = ['a' => 1 + 2];`, /x\.php:2: unexpected "\+"/],
      [`<?php\n$CONFIG = ['a' => <<<EOT\nx\nEOT];`, /heredoc/],
      [`<?php\n$config = [];`, /the variable \$config/],
    ];
    for (const [source, message] of cases) {
      assert.throws(
        () => parsePhpConfig(source, '/etc/x.php'),
        configError('CONFIG_FILE', message),
      );
    }
  });

  it('reports malformed files with the line of the problem', () => {
    const cases: [string, RegExp][] = [
      [`$CONFIG = [];`, /does not start with "<\?php"/],
      [`<?php\n// nothing here\n`, /\$CONFIG not found/],
      [`<?php\n$CONFIG = 'nope';`, /\$CONFIG is not an array/],
      [`<?php\n$CONFIG = [\n'a' => 'b'`, /:3: unexpected end of file/],
      [`<?php\n$CONFIG = ['a' => 'unterminated];`, /:2: unterminated string/],
      [`<?php\n/* open\n$CONFIG = [];`, /unterminated \/\* comment/],
      [`<?php\n$CONFIG = [];\n?>\n<html>`, /text after "\?>"/],
      [`<?php\n$CONFIG = ['a' => 12abc];`, /malformed number/],
    ];
    for (const [source, message] of cases) {
      assert.throws(
        () => parsePhpConfig(source, 'config.php'),
        configError('CONFIG_FILE', message),
      );
    }
  });

  it('never quotes a misplaced string, which may be a password', () => {
    assert.throws(
      () => parsePhpConfig(`<?php\n$CONFIG = ['dbpassword' 'hunter2'];`),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });
});
