import type { RedisConfig } from './config.js';
import { InvalidValueError } from './invalid-value-error.js';

/**
 * Where Redis is and how to log in, as one URL or a config.php section says; the TLS files and
 * switches are merged in later from every source.
 */
export interface RedisLocation extends Omit<RedisConfig, 'tls'> {
  /** `rediss://`, a `tls://` host, or an `ssl_context` array. */
  tls: boolean;
}

/**
 * The cluster that several single-node locations describe (repeated `--redis-url`, config.php
 * seeds). Upstream takes scheme, credentials and database from the first and silently drops what
 * differs; here a difference is an error, since only one of them can be right. Throws
 * {@link InvalidValueError}, whose reason never contains a password.
 */
export function clusterOf(locations: readonly RedisLocation[]): RedisLocation {
  const [first, ...rest] = locations;
  if (first === undefined) throw new InvalidValueError('no Redis Cluster node given');
  if (rest.length === 0 && !first.cluster) return first;
  const nodes = locations.flatMap((location) => location.nodes);
  if (nodes.some((node) => 'path' in node)) {
    throw new InvalidValueError('a Redis Cluster node needs a host and port, not a Unix socket');
  }
  if (locations.some((location) => location.db !== 0)) {
    throw new InvalidValueError('a Redis Cluster has only database 0');
  }
  if (rest.some((location) => location.tls !== first.tls)) {
    throw new InvalidValueError('every Redis Cluster node must use TLS, or none');
  }
  const differs = (location: RedisLocation) =>
    (location.username !== undefined && location.username !== first.username) ||
    (location.password !== undefined && location.password !== first.password);
  if (rest.some(differs)) {
    throw new InvalidValueError('every Redis Cluster node must use the same user and password');
  }
  return { ...first, nodes, cluster: true };
}
