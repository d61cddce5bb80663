import type pg from 'pg';

/**
 * The Nextcloud tables the gateway reads, with Nextcloud's own column names and PostgreSQL types
 * (reference/nextcloud_solid.md §B1–B6; core/Migrations/Version13000Date20170718121200.php and
 * later migrations, as of Nextcloud 33). Only tables the simulated Nextcloud writes are here.
 */
export function nextcloudSchemaSql(prefix: string): string {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new Error(`invalid table prefix ${prefix}`);
  const t = (name: string) => `${prefix}${name}`;
  return `
CREATE TABLE ${t('storages')} (
  numeric_id BIGSERIAL PRIMARY KEY,
  id VARCHAR(64) DEFAULT NULL,
  available INTEGER NOT NULL DEFAULT 1,
  last_checked INTEGER DEFAULT NULL
);
CREATE UNIQUE INDEX ${t('storages_id_index')} ON ${t('storages')} (id);

CREATE TABLE ${t('mimetypes')} (
  id BIGSERIAL PRIMARY KEY,
  mimetype VARCHAR(255) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX ${t('mimetype_id_index')} ON ${t('mimetypes')} (mimetype);

CREATE TABLE ${t('filecache')} (
  fileid BIGSERIAL PRIMARY KEY,
  storage BIGINT NOT NULL DEFAULT 0,
  path VARCHAR(4000) DEFAULT NULL,
  path_hash VARCHAR(32) NOT NULL DEFAULT '',
  parent BIGINT NOT NULL DEFAULT 0,
  name VARCHAR(250) DEFAULT NULL,
  mimetype BIGINT NOT NULL DEFAULT 0,
  mimepart BIGINT NOT NULL DEFAULT 0,
  size BIGINT NOT NULL DEFAULT 0,
  mtime BIGINT NOT NULL DEFAULT 0,
  storage_mtime BIGINT NOT NULL DEFAULT 0,
  encrypted INTEGER NOT NULL DEFAULT 0,
  unencrypted_size BIGINT NOT NULL DEFAULT 0,
  etag VARCHAR(40) DEFAULT NULL,
  permissions INTEGER DEFAULT 0,
  checksum VARCHAR(255) DEFAULT NULL
);
CREATE UNIQUE INDEX ${t('fs_storage_path_hash')} ON ${t('filecache')} (storage, path_hash);
CREATE INDEX ${t('fs_parent_name_hash')} ON ${t('filecache')} (parent, name);
CREATE INDEX ${t('fs_storage_mimetype')} ON ${t('filecache')} (storage, mimetype);
CREATE INDEX ${t('fs_storage_mimepart')} ON ${t('filecache')} (storage, mimepart);
CREATE INDEX ${t('fs_storage_size')} ON ${t('filecache')} (storage, size, fileid);
CREATE INDEX ${t('fs_mtime')} ON ${t('filecache')} (mtime);

CREATE TABLE ${t('mounts')} (
  id BIGSERIAL PRIMARY KEY,
  storage_id BIGINT NOT NULL,
  root_id BIGINT NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  mount_point VARCHAR(4000) NOT NULL,
  mount_id BIGINT DEFAULT NULL,
  mount_provider_class VARCHAR(128) DEFAULT NULL,
  mount_point_hash VARCHAR(32) NOT NULL
);
CREATE INDEX ${t('mounts_user_index')} ON ${t('mounts')} (user_id);
CREATE INDEX ${t('mounts_storage_index')} ON ${t('mounts')} (storage_id);
CREATE INDEX ${t('mounts_root_index')} ON ${t('mounts')} (root_id);
CREATE INDEX ${t('mounts_mount_id_index')} ON ${t('mounts')} (mount_id);
CREATE INDEX ${t('mounts_class_index')} ON ${t('mounts')} (mount_provider_class);
CREATE UNIQUE INDEX ${t('mounts_user_root_path_index')} ON ${t('mounts')} (user_id, root_id, mount_point_hash);

CREATE TABLE ${t('share')} (
  id BIGSERIAL PRIMARY KEY,
  share_type SMALLINT NOT NULL DEFAULT 0,
  share_with VARCHAR(255) DEFAULT NULL,
  password VARCHAR(255) DEFAULT NULL,
  uid_owner VARCHAR(64) NOT NULL DEFAULT '',
  uid_initiator VARCHAR(64) DEFAULT NULL,
  parent BIGINT DEFAULT NULL,
  item_type VARCHAR(64) NOT NULL DEFAULT '',
  item_source VARCHAR(255) DEFAULT NULL,
  item_target VARCHAR(255) DEFAULT NULL,
  file_source BIGINT DEFAULT NULL,
  file_target VARCHAR(512) DEFAULT NULL,
  permissions SMALLINT NOT NULL DEFAULT 0,
  stime BIGINT NOT NULL DEFAULT 0,
  accepted SMALLINT NOT NULL DEFAULT 0,
  expiration TIMESTAMP(0) WITHOUT TIME ZONE DEFAULT NULL,
  token VARCHAR(32) DEFAULT NULL,
  mail_send SMALLINT NOT NULL DEFAULT 0,
  share_name VARCHAR(64) DEFAULT NULL
);
CREATE INDEX ${t('file_source_index')} ON ${t('share')} (file_source);
CREATE INDEX ${t('share_with_index')} ON ${t('share')} (share_with);

CREATE TABLE ${t('groups')} (
  gid VARCHAR(64) NOT NULL PRIMARY KEY,
  displayname VARCHAR(255) NOT NULL DEFAULT 'name'
);
CREATE TABLE ${t('group_user')} (
  gid VARCHAR(64) NOT NULL DEFAULT '',
  uid VARCHAR(64) NOT NULL DEFAULT '',
  PRIMARY KEY (gid, uid)
);
CREATE INDEX ${t('gu_uid_index')} ON ${t('group_user')} (uid);

CREATE TABLE ${t('appconfig')} (
  appid VARCHAR(32) NOT NULL DEFAULT '',
  configkey VARCHAR(64) NOT NULL DEFAULT '',
  configvalue TEXT DEFAULT NULL,
  PRIMARY KEY (appid, configkey)
);
`;
}

/** Creates the Nextcloud tables in the database `client` is connected to. */
export async function createNextcloudSchema(client: pg.Pool | pg.Client, prefix = 'oc_') {
  await client.query(nextcloudSchemaSql(prefix));
}
