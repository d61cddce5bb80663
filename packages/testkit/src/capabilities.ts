/** The Nextcloud release the simulated server reports (its schema is Nextcloud 33's). */
const VERSION = {
  major: 33,
  minor: 0,
  micro: 0,
  string: '33.0.0',
  edition: '',
  extendedSupport: false,
};

/**
 * The `data` of `/ocs/v2.php/cloud/capabilities`. notify_push's capability is not public, so it is
 * listed only for a logged-in user, and only when `base_endpoint` is set (its `Capabilities.php`).
 */
export function capabilitiesData(options: {
  /** App config `notify_push/base_endpoint`, or undefined when unset or the user is anonymous. */
  baseEndpoint: string | undefined;
  /** Absolute URL of the `notify_push.Auth.preAuth` route. */
  preAuthUrl: string;
}) {
  const { baseEndpoint, preAuthUrl } = options;
  const core = { pollinterval: 60, 'webdav-root': 'remote.php/webdav' };
  if (!baseEndpoint) return { version: VERSION, capabilities: { core } };
  const websocket = `${baseEndpoint.replaceAll('https://', 'wss://').replaceAll('http://', 'ws://')}/ws`;
  const notifyPush = {
    type: ['files', 'activities', 'notifications'],
    endpoints: { websocket, pre_auth: preAuthUrl },
  };
  return { version: VERSION, capabilities: { core, notify_push: notifyPush } };
}
