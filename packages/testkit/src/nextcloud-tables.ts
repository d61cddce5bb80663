/** The prefixed names of the Nextcloud tables the simulated Nextcloud writes. */
export interface NextcloudTables {
  storages: string;
  mimetypes: string;
  filecache: string;
  mounts: string;
  share: string;
  groups: string;
  groupUser: string;
  appconfig: string;
}

/** Table names under `prefix` (config.php `dbtableprefix`), which is interpolated into SQL. */
export function nextcloudTables(prefix: string): NextcloudTables {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new Error(`invalid table prefix ${prefix}`);
  return {
    storages: `${prefix}storages`,
    mimetypes: `${prefix}mimetypes`,
    filecache: `${prefix}filecache`,
    mounts: `${prefix}mounts`,
    share: `${prefix}share`,
    groups: `${prefix}groups`,
    groupUser: `${prefix}group_user`,
    appconfig: `${prefix}appconfig`,
  };
}
