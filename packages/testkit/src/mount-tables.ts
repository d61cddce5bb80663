/** The SQL dialects whose DDL is rendered here; PostgreSQL's lives in `nextcloud-schema.ts`. */
export type MountTablesDialect = 'mysql' | 'sqlite';

type ColumnType = 'id' | 'bigint' | 'int' | { varchar: number };

interface Column {
  name: string;
  type: ColumnType;
  /** @defaultValue false */
  nullable?: boolean;
  default?: number | string;
}

interface Table {
  name: string;
  columns: Column[];
  indexes: { name: string; columns: string[]; unique?: boolean }[];
}

const varchar = (length: number) => ({ varchar: length });

/**
 * `oc_storages`, `oc_mimetypes`, `oc_filecache` and `oc_mounts` as Nextcloud 33 declares them
 * (reference/nextcloud_solid.md §B1–B3), described once and rendered per platform the way
 * Doctrine does for Nextcloud.
 */
const TABLES: Table[] = [
  {
    name: 'storages',
    columns: [
      { name: 'numeric_id', type: 'id' },
      { name: 'id', type: varchar(64), nullable: true },
      { name: 'available', type: 'int', default: 1 },
      { name: 'last_checked', type: 'int', nullable: true },
    ],
    indexes: [{ name: 'storages_id_index', columns: ['id'], unique: true }],
  },
  {
    name: 'mimetypes',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'mimetype', type: varchar(255), default: '' },
    ],
    indexes: [{ name: 'mimetype_id_index', columns: ['mimetype'], unique: true }],
  },
  {
    name: 'filecache',
    columns: [
      { name: 'fileid', type: 'id' },
      { name: 'storage', type: 'bigint', default: 0 },
      { name: 'path', type: varchar(4000), nullable: true },
      { name: 'path_hash', type: varchar(32), default: '' },
      { name: 'parent', type: 'bigint', default: 0 },
      { name: 'name', type: varchar(250), nullable: true },
      { name: 'mimetype', type: 'bigint', default: 0 },
      { name: 'mimepart', type: 'bigint', default: 0 },
      { name: 'size', type: 'bigint', default: 0 },
      { name: 'mtime', type: 'bigint', default: 0 },
      { name: 'storage_mtime', type: 'bigint', default: 0 },
      { name: 'encrypted', type: 'int', default: 0 },
      { name: 'unencrypted_size', type: 'bigint', default: 0 },
      { name: 'etag', type: varchar(40), nullable: true },
      { name: 'permissions', type: 'int', nullable: true, default: 0 },
      { name: 'checksum', type: varchar(255), nullable: true },
    ],
    indexes: [
      { name: 'fs_storage_path_hash', columns: ['storage', 'path_hash'], unique: true },
      { name: 'fs_parent_name_hash', columns: ['parent', 'name'] },
      { name: 'fs_storage_mimetype', columns: ['storage', 'mimetype'] },
      { name: 'fs_storage_mimepart', columns: ['storage', 'mimepart'] },
      { name: 'fs_storage_size', columns: ['storage', 'size', 'fileid'] },
      { name: 'fs_mtime', columns: ['mtime'] },
    ],
  },
  {
    name: 'mounts',
    columns: [
      { name: 'id', type: 'id' },
      { name: 'storage_id', type: 'bigint' },
      { name: 'root_id', type: 'bigint' },
      { name: 'user_id', type: varchar(64) },
      { name: 'mount_point', type: varchar(4000) },
      { name: 'mount_id', type: 'bigint', nullable: true },
      { name: 'mount_provider_class', type: varchar(128), nullable: true },
      { name: 'mount_point_hash', type: varchar(32) },
    ],
    indexes: [
      { name: 'mounts_user_index', columns: ['user_id'] },
      { name: 'mounts_storage_index', columns: ['storage_id'] },
      { name: 'mounts_root_index', columns: ['root_id'] },
      { name: 'mounts_mount_id_index', columns: ['mount_id'] },
      { name: 'mounts_class_index', columns: ['mount_provider_class'] },
      {
        name: 'mounts_user_root_path_index',
        columns: ['user_id', 'root_id', 'mount_point_hash'],
        unique: true,
      },
    ],
  },
];

/** The statements creating Nextcloud's mount tables with `prefix` on MySQL/MariaDB or SQLite. */
export function mountTablesSql(dialect: MountTablesDialect, prefix: string): string[] {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new Error(`invalid table prefix ${prefix}`);
  return TABLES.flatMap((table) =>
    dialect === 'mysql' ? [mysqlTable(table, prefix)] : sqliteTable(table, prefix),
  );
}

/** InnoDB, utf8mb4 with binary collation and compressed rows, as Nextcloud creates its tables. */
function mysqlTable(table: Table, prefix: string): string {
  const id = table.columns.find((column) => column.type === 'id');
  const lines = [
    ...table.columns.map(
      (column) => `${column.name} ${mysqlType(column.type)}${modifiers(column)}`,
    ),
    ...(id ? [`PRIMARY KEY (${id.name})`] : []),
    ...table.indexes.map(
      (index) => `${index.unique ? 'UNIQUE ' : ''}KEY ${index.name} (${index.columns.join(', ')})`,
    ),
  ];
  return `CREATE TABLE ${prefix}${table.name} (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=COMPRESSED`;
}

function mysqlType(type: ColumnType): string {
  if (typeof type === 'object') return `VARCHAR(${type.varchar})`;
  return { id: 'BIGINT UNSIGNED AUTO_INCREMENT', bigint: 'BIGINT', int: 'INT' }[type];
}

/** SQLite's index names share one namespace per database, so they carry the prefix. */
function sqliteTable(table: Table, prefix: string): string[] {
  const columns = table.columns.map(
    (column) => `${column.name} ${sqliteType(column.type)}${modifiers(column)}`,
  );
  return [
    `CREATE TABLE ${prefix}${table.name} (\n  ${columns.join(',\n  ')}\n)`,
    ...table.indexes.map(
      (index) =>
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${prefix}${index.name} ON ${prefix}${table.name} (${index.columns.join(', ')})`,
    ),
  ];
}

function sqliteType(type: ColumnType): string {
  if (typeof type === 'object') return `VARCHAR(${type.varchar})`;
  return { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'BIGINT', int: 'INTEGER' }[type];
}

function modifiers(column: Column): string {
  const nullability = column.nullable ? '' : ' NOT NULL';
  if (column.default === undefined) return nullability;
  const value = typeof column.default === 'string' ? `'${column.default}'` : column.default;
  return `${nullability} DEFAULT ${value}`;
}
