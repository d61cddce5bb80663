import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountTablesSql } from '../src/index.js';

describe('mountTablesSql', () => {
  it('renders MySQL tables with unsigned auto-increment ids, utf8mb4_bin and inline keys', () => {
    const sql = mountTablesSql('mysql', 'nc_').join('\n');
    assert.match(
      sql,
      /CREATE TABLE nc_storages \(\n {2}numeric_id BIGINT UNSIGNED AUTO_INCREMENT NOT NULL,/,
    );
    assert.match(sql, /PRIMARY KEY \(fileid\)/);
    assert.match(sql, /UNIQUE KEY fs_storage_path_hash \(storage, path_hash\)/);
    assert.match(sql, /path VARCHAR\(4000\),/);
    assert.match(sql, /path_hash VARCHAR\(32\) NOT NULL DEFAULT '',/);
    assert.equal(sql.match(/COLLATE=utf8mb4_bin/g)?.length, 4);
  });

  it('renders SQLite tables with INTEGER PRIMARY KEY ids and prefixed index names', () => {
    const statements = mountTablesSql('sqlite', 'nc_');
    const sql = statements.join('\n');
    assert.match(sql, /fileid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,/);
    assert.match(sql, /CREATE UNIQUE INDEX nc_mounts_user_root_path_index ON nc_mounts/);
    assert.equal(statements.filter((s) => s.startsWith('CREATE TABLE')).length, 4);
  });

  it('refuses a prefix that is not a plain identifier', () => {
    assert.throws(() => mountTablesSql('sqlite', 'oc_; DROP TABLE x'), /invalid table prefix/);
  });
});
