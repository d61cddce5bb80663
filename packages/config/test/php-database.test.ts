import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePhpConfig } from '../src/index.js';
import { databaseUrlFromPhp } from '../src/php-database.js';
import { configError, tempDir } from './temp-dir.js';

const { dir, write } = tempDir();
const socket = write('mysqld.sock', '');
const noSockets = [join(dir, 'absent.sock')];

/** The URL for config.php entries, with no MySQL socket on this machine. */
function urlFor(entries: string, sockets: string[] = noSockets): string {
  return databaseUrlFromPhp(parsePhpConfig(`<?php $CONFIG = [${entries}];`), 'config.php', sockets);
}

const mysql = `'dbtype' => 'mysql', 'dbname' => 'nextcloud', 'dbuser' => 'nextcloud', 'dbpassword' => 'secret', 'dbport' => ''`;
const pgsql = `'dbtype' => 'pgsql', 'dbname' => 'nextcloud', 'dbuser' => 'redacted', 'dbpassword' => 'redacted'`;
const sslFiles = `\\PDO::MYSQL_ATTR_SSL_KEY => '/ssl-key.pem', \\PDO::MYSQL_ATTR_SSL_CERT => '/ssl-cert.pem', \\PDO::MYSQL_ATTR_SSL_CA => '/ca-cert.pem'`;

describe('databaseUrlFromPhp', () => {
  it('builds PostgreSQL URLs for host, IP, port and socket forms', () => {
    const cases: [string, string][] = [
      [`'dbhost' => 'pg.example.com'`, 'postgresql://redacted:redacted@pg.example.com/nextcloud'],
      [`'dbhost' => '1.2.3.4'`, 'postgresql://redacted:redacted@1.2.3.4/nextcloud?sslmode=disable'],
      [`'dbhost' => 'pg:5433'`, 'postgresql://redacted:redacted@pg:5433/nextcloud'],
      [`'dbhost' => 'pg:5432'`, 'postgresql://redacted:redacted@pg/nextcloud'],
      [`'dbhost' => 'pg', 'dbport' => 6543`, 'postgresql://redacted:redacted@pg:6543/nextcloud'],
      [
        `'dbhost' => 'pg:5433', 'dbport' => '6543'`,
        'postgresql://redacted:redacted@pg:6543/nextcloud',
      ],
      [`'dbhost' => '::1'`, 'postgresql://redacted:redacted@[::1]/nextcloud?sslmode=disable'],
      [
        `'dbhost' => '[::1]:5433'`,
        'postgresql://redacted:redacted@[::1]:5433/nextcloud?sslmode=disable',
      ],
      [
        `'dbhost' => '/var/run/postgresql'`,
        'postgresql://redacted:redacted@localhost/nextcloud?host=/var/run/postgresql',
      ],
      [
        `'dbhost' => 'localhost:/var/run/postgresql'`,
        'postgresql://redacted:redacted@localhost/nextcloud?host=/var/run/postgresql',
      ],
      [
        `'dbhost' => 'localhost:/var/run/postgresql/.s.PGSQL.5432'`,
        'postgresql://redacted:redacted@localhost/nextcloud?host=/var/run/postgresql',
      ],
    ];
    for (const [host, url] of cases) assert.equal(urlFor(`${pgsql}, ${host}`), url, host);
  });

  it('makes the PostgreSQL password optional and URL-encodes user and password', () => {
    assert.equal(
      urlFor(
        `'dbtype' => 'pgsql', 'dbname' => 'nextcloud', 'dbuser' => 'redacted', 'dbhost' => '/run/postgresql'`,
      ),
      'postgresql://redacted:@localhost/nextcloud?host=/run/postgresql',
    );
    assert.equal(
      urlFor(
        `'dbtype' => 'pgsql', 'dbname' => 'nextcloud', 'dbuser' => 'reda:cted', 'dbpassword' => 'reda@cted', 'dbhost' => '1.2.3.4'`,
      ),
      'postgresql://reda%3Acted:reda%40cted@1.2.3.4/nextcloud?sslmode=disable',
    );
    assert.equal(
      urlFor(`'dbtype' => 'pgsql', 'dbuser' => 'u', 'dbhost' => 'pg'`),
      'postgresql://u:@pg/owncloud',
    );
  });

  it('builds MySQL URLs with upstream ssl-mode rules', () => {
    const cases: [string, string][] = [
      [`'dbhost' => '127.0.0.1'`, 'mysql://nextcloud:secret@127.0.0.1/nextcloud?ssl-mode=disabled'],
      [
        `'dbhost' => '127.0.0.1:1234'`,
        'mysql://nextcloud:secret@127.0.0.1:1234/nextcloud?ssl-mode=disabled',
      ],
      [`'dbhost' => 'db.example.com'`, 'mysql://nextcloud:secret@db.example.com/nextcloud'],
      [
        `'dbhost' => '1.2.3.4', 'dbdriveroptions' => [\\PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false]`,
        'mysql://nextcloud:secret@1.2.3.4/nextcloud',
      ],
      [
        `'dbhost' => 'db.example.com', 'dbdriveroptions' => [${sslFiles}, \\PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => true]`,
        'mysql://nextcloud:secret@db.example.com/nextcloud?ssl-mode=verify_identity&ssl-ca=/ca-cert.pem',
      ],
      [
        `'dbhost' => 'db.example.com', 'dbdriveroptions' => [${sslFiles}, \\PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false]`,
        'mysql://nextcloud:secret@db.example.com/nextcloud?ssl-mode=verify_ca&ssl-ca=/ca-cert.pem',
      ],
      [
        `'dbhost' => 'localhost:/run/mysqld/mysqld.sock'`,
        'mysql://nextcloud:secret@localhost/nextcloud?socket=/run/mysqld/mysqld.sock',
      ],
      [
        `'dbhost' => '/tmp/my.sock'`,
        'mysql://nextcloud:secret@localhost/nextcloud?socket=/tmp/my.sock',
      ],
      [`'dbhost' => 'localhost'`, 'mysql://nextcloud:secret@localhost/nextcloud'],
    ];
    for (const [host, url] of cases) assert.equal(urlFor(`${mysql}, ${host}`), url, host);
  });

  it('uses the first MySQL socket that exists for plain localhost', () => {
    const sockets = [...noSockets, socket];
    const expected = `mysql://nextcloud:secret@localhost/nextcloud?socket=${socket}`;
    assert.equal(urlFor(`${mysql}, 'dbhost' => 'localhost'`, sockets), expected);
    assert.equal(urlFor(`${mysql}, 'dbhost' => ''`, sockets), expected);
    assert.equal(
      urlFor(`${mysql}, 'dbhost' => 'localhost:3307'`, sockets),
      'mysql://nextcloud:secret@localhost:3307/nextcloud',
    );
  });

  it('builds SQLite URLs from the data directory, also when dbtype is missing', () => {
    assert.equal(
      urlFor(`'dbtype' => 'sqlite3', 'dbname' => 'nextcloud', 'datadirectory' => '/nc'`),
      'sqlite:///nc/nextcloud.db',
    );
    assert.equal(
      urlFor(`'dbtype' => 'sqlite', 'datadirectory' => '/nc/data'`),
      'sqlite:///nc/data/owncloud.db',
    );
    assert.equal(urlFor(`'datadirectory' => '/nc/data'`), 'sqlite:///nc/data/owncloud.db');
  });

  it('stops on missing or unsupported values, naming the config.php key', () => {
    const cases: [string, string, RegExp][] = [
      [`'dbtype' => 'oci'`, 'dbtype', /unsupported database type "oci" \(dbtype\)/],
      [`'dbtype' => 'pgsql', 'dbhost' => 'pg'`, 'dbuser', /no username set \(dbuser\)/],
      [
        `'dbtype' => 'mysql', 'dbuser' => 'u', 'dbhost' => 'db'`,
        'dbpassword',
        /no password set \(dbpassword\)/,
      ],
      [`'dbtype' => 'sqlite3'`, 'datadirectory', /no data directory \(datadirectory\)/],
      [`${pgsql}, 'dbhost' => 'pg', 'dbport' => '70000'`, 'dbport', /dbport/],
      [`${pgsql}, 'dbhost' => 'pg', 'dbport' => 'abc'`, 'dbport', /dbport/],
      [`${pgsql}, 'dbhost' => 'pg/evil@x'`, 'dbhost', /dbhost/],
      [`${pgsql}, 'dbhost' => ['pg']`, 'dbhost', /dbhost/],
    ];
    for (const [entries, key, message] of cases) {
      assert.throws(() => urlFor(entries), configError(key, message), entries);
    }
  });
});
