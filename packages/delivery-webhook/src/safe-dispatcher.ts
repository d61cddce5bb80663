import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { AddressPolicy } from './address-policy.js';

/** Every address a host name resolves to, as `dns.lookup(name, { all: true })` answers. */
export type HostLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface SafeDispatcherOptions {
  /** Which addresses may be connected to. @defaultValue a policy allowing only public addresses */
  policy?: AddressPolicy;
  /** Resolves host names; tests inject answers here. @defaultValue `dns.lookup` with `all: true` */
  lookup?: HostLookup;
  /** Bound on one TCP (and TLS) connect. @defaultValue 5_000 */
  connectTimeoutMs?: number;
  /**
   * PEM certificates of CAs trusted in addition to Node's bundled Mozilla roots, e.g. a private
   * PKI's or a test CA. @defaultValue none
   */
  ca?: readonly (string | Buffer)[];
}

/**
 * The connection was refused before it was made: the destination's address is not one the
 * {@link AddressPolicy} lets the gateway reach. Permanent, whatever the receiver does.
 */
export class DestinationRefusedError extends Error {
  readonly code = 'GW_DELIVERY_SSRF_BLOCKED';

  constructor(
    /** Why, naming the address, e.g. `127.0.0.1 is a loopback address`. */
    readonly reason: string,
    /** The URL's host name or IP literal. */
    readonly host: string,
  ) {
    super(`refused to connect to ${host}: ${reason}`);
    this.name = 'DestinationRefusedError';
  }
}

const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * An undici `Agent` that only connects where its {@link AddressPolicy} allows. Each new
 * connection resolves the host once, refuses it if any of the addresses is refused, and then
 * connects to a checked address itself, so a DNS answer that changes between check and connect
 * (rebinding) cannot redirect it (the Svix design, ecosystem.md §3.4). TLS still verifies the
 * certificate against the URL's host name, sent as SNI. Connections are pooled per origin.
 */
export class SafeDispatcher extends Agent {
  /** Makes the type nominal: a plain `Agent` cannot be passed where this one is required. */
  declare private readonly safeDispatcherBrand: never;

  constructor(options: SafeDispatcherOptions = {}) {
    super({ connect: safeConnector(options) });
  }
}

function safeConnector(options: SafeDispatcherOptions): buildConnector.connector {
  const policy = options.policy ?? new AddressPolicy();
  const lookup = options.lookup ?? systemLookup;
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  if (!(connectTimeout > 0)) throw new RangeError(`invalid connect timeout ${connectTimeout} ms`);
  const ca = options.ca === undefined ? undefined : [...rootCertificates, ...options.ca];
  const connectTo = buildConnector({ timeout: connectTimeout, ...(ca && { ca }) });
  return (connectOptions, callback) => {
    checkedAddresses(connectOptions.hostname, lookup, policy).then(
      (addresses) => connectFirst(connectTo, connectOptions, addresses, [], callback),
      (err: Error) => callback(err, null),
    );
  };
}

/** Resolves `host` (IP literals as they are) and refuses it if any address is refused. */
async function checkedAddresses(
  host: string,
  lookup: HostLookup,
  policy: AddressPolicy,
): Promise<string[]> {
  // undici strips the brackets of an IPv6 literal.
  const addresses = isIP(host) !== 0 ? [host] : (await lookup(host)).map((a) => a.address);
  if (addresses.length === 0) throw notFound(host);
  // All, not just the one connected to: a name that also points inside is not a public receiver.
  for (const address of addresses) {
    const reason = policy.refusal(address);
    if (reason !== undefined) throw new DestinationRefusedError(reason, host);
  }
  return addresses;
}

/** Connects to the addresses in turn until one answers, as a resolver's fallback would. */
function connectFirst(
  connectTo: buildConnector.connector,
  options: buildConnector.Options,
  addresses: readonly string[],
  errors: Error[],
  callback: buildConnector.Callback,
): void {
  const [address, ...rest] = addresses;
  if (address === undefined) {
    callback(errors.length === 1 ? (errors[0] as Error) : new AggregateError(errors), null);
    return;
  }
  // The certificate is checked against the name asked for, not the address connected to.
  const servername = options.servername || (isIP(options.hostname) === 0 ? options.hostname : '');
  connectTo({ ...options, hostname: address, ...(servername && { servername }) }, (err, socket) => {
    if (err === null) callback(null, socket);
    else connectFirst(connectTo, options, rest, [...errors, err], callback);
  });
}

function notFound(host: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
    code: 'ENOTFOUND',
    hostname: host,
  });
}
