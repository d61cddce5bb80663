import pkg from '../package.json' with { type: 'json' };

/** This gateway's own release. */
export const GATEWAY_VERSION: string = pkg.version;

/**
 * The notify_push release whose protocol and behaviour the gateway reproduces. `--version` leads
 * with it because Nextcloud's setup wizard expects a line starting with `notify_push`.
 */
export const NOTIFY_PUSH_VERSION = '1.4.0';

export const versionLine = `notify_push ${NOTIFY_PUSH_VERSION} (notify-gateway ${GATEWAY_VERSION})`;
