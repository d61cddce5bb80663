import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import type { RedisAddress, RedisConfig, RedisTlsSettings } from '@gw/config';
import type { RedisOptions } from 'ioredis';

/** The seed nodes of a Redis Cluster and the ioredis options every node shares. */
export interface RedisClusterTarget {
  seeds: { host: string; port: number }[];
  nodeOptions: RedisOptions;
}

/** The configured Redis as ioredis wants it, for each of the gateway's two links. */
export interface RedisConnection {
  /** The GET/SET/DEL link (RedisCommands): the one server, or the cluster. */
  commands: RedisOptions | RedisClusterTarget;
  /**
   * Every node the subscriber may use (RedisIngest), each with its full options: the one server,
   * or every cluster seed, since a PUBLISH reaches every node of a cluster.
   */
  subscriber: RedisOptions[];
}

/** A Redis TLS file that cannot be used; the message names the setting and the path. */
export class RedisTlsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisTlsFileError';
  }
}

/**
 * Turns the configuration into ioredis options. The TLS files are read and checked here, once at
 * start-up, so a missing or broken one stops the gateway with {@link RedisTlsFileError} instead
 * of failing every connection attempt later.
 */
export function redisConnection(config: RedisConfig): RedisConnection {
  const tls =
    config.tls === undefined ? undefined : { settings: config.tls, files: tlsFiles(config.tls) };
  const shared: RedisOptions = {
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    db: config.db,
  };
  const subscriber = config.nodes.map(
    (address): RedisOptions => ({
      ...address,
      ...shared,
      ...(tls === undefined ? {} : { tls: tlsOptions(tls, address) }),
    }),
  );
  const [single] = subscriber;
  if (single === undefined) throw new TypeError('no Redis node configured');
  if (!config.cluster) return { commands: single, subscriber };
  const seeds = config.nodes.filter((node) => 'host' in node);
  // The cluster reaches nodes by the addresses CLUSTER SLOTS names, so no single SNI name fits.
  const nodeOptions = tls === undefined ? shared : { ...shared, tls: tlsOptions(tls) };
  return { commands: { seeds, nodeOptions }, subscriber };
}

/** The contents of the TLS files, as node:tls takes them. */
interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const CA = 'REDIS_TLS_CA (ssl_context.cafile)';
const CERT = 'REDIS_TLS_CERT (ssl_context.local_cert)';
const KEY = 'REDIS_TLS_KEY (ssl_context.local_pk)';

function tlsFiles(settings: RedisTlsSettings): TlsFiles {
  const files: TlsFiles = {};
  if (settings.caPath !== undefined) {
    files.ca = readTlsFile(settings.caPath, CA);
    try {
      // node:tls skips what it cannot parse in a CA bundle; then every connection would fail.
      new X509Certificate(files.ca);
    } catch {
      throw new RedisTlsFileError(`${CA} ${settings.caPath} holds no PEM certificate`);
    }
  }
  if (settings.certPath !== undefined && settings.keyPath !== undefined) {
    files.cert = readTlsFile(settings.certPath, CERT);
    files.key = readTlsFile(settings.keyPath, KEY);
    try {
      createSecureContext({ cert: files.cert, key: files.key });
    } catch (err) {
      throw new RedisTlsFileError(
        `${CERT} and ${KEY} are not a PEM certificate and its key: ${(err as Error).message}`,
      );
    }
  }
  return files;
}

function readTlsFile(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new RedisTlsFileError(`Cannot read ${setting} ${path}: ${code}`);
  }
}

function tlsOptions(
  { settings, files }: { settings: RedisTlsSettings; files: TlsFiles },
  address?: RedisAddress,
): ConnectionOptions {
  const host = address !== undefined && 'host' in address ? address.host : undefined;
  return {
    ...files,
    rejectUnauthorized: !settings.insecure,
    ...(settings.dontValidateHostname ? { checkServerIdentity: () => undefined } : {}),
    // Node sends no SNI unless told; servers behind a TLS proxy route by it.
    ...(host !== undefined && isIP(host) === 0 ? { servername: host } : {}),
  };
}
