import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import {
  InvalidDatabaseConfigError,
  openNextcloudDatabase,
  UnsupportedDatabaseError,
} from '../src/index.js';

const logger = pino({ level: 'silent' });

describe('openNextcloudDatabase', () => {
  for (const url of [
    'postgres://u:p@127.0.0.1/nc',
    'postgresql://u@localhost/nc?sslmode=disable',
    'mysql://nc:secret@db/nextcloud?ssl-mode=disabled',
    'mariadb://nc:secret@localhost/nextcloud?socket=/run/mysqld/mysqld.sock',
    'sqlite:///var/lib/nc/owncloud.db',
  ]) {
    it(`accepts ${new URL(url).protocol} URLs without connecting`, async () => {
      const database = openNextcloudDatabase(url, { prefix: 'oc_', logger });
      await database.close();
    });
  }

  for (const url of ['oci8://nc:secret@db/nextcloud', 'sqlserver://nc:secret@db/nextcloud']) {
    it(`rejects ${new URL(url).protocol} URLs as unsupported without echoing the URL`, () => {
      assert.throws(
        () => openNextcloudDatabase(url, { prefix: 'oc_', logger }),
        (err: unknown) =>
          err instanceof UnsupportedDatabaseError &&
          err.message.includes(new URL(url).protocol) &&
          err.message.includes('mysql://') &&
          !err.message.includes('secret'),
      );
    });
  }

  for (const url of ['mysql://nc:secret@db/nc?ssl-mode=maybe', 'sqlite://relative.db']) {
    it(`rejects the malformed ${new URL(url).protocol} URL before connecting`, () => {
      assert.throws(
        () => openNextcloudDatabase(url, { prefix: 'oc_', logger }),
        (err: unknown) =>
          err instanceof InvalidDatabaseConfigError && !err.message.includes('secret'),
      );
    });
  }

  it('rejects a string that is not a URL', () => {
    assert.throws(
      () => openNextcloudDatabase('db.example.com/nextcloud', { prefix: 'oc_', logger }),
      InvalidDatabaseConfigError,
    );
  });

  for (const prefix of ['oc-', 'oc_; DROP TABLE x', 'öc_']) {
    it(`rejects the table prefix ${JSON.stringify(prefix)}`, () => {
      assert.throws(
        () => openNextcloudDatabase('postgres://127.0.0.1/nc', { prefix, logger }),
        /invalid table prefix/,
      );
    });
  }

  it('accepts an empty table prefix', async () => {
    await openNextcloudDatabase('postgres://127.0.0.1/nc', { prefix: '', logger }).close();
  });
});
