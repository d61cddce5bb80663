import { isIP } from 'node:net';

/** config.php `trusted_proxies` of the simulated server: the gateway runs on loopback. */
const TRUSTED_PROXIES = new Set(['127.0.0.1', '::1']);

/**
 * `IRequest::getRemoteAddress()`: when the peer is a trusted proxy, the last `X-Forwarded-For`
 * entry that is a valid IP and not itself a trusted proxy (ports and `[ipv6]` brackets
 * stripped); otherwise, or when there is none, the peer address.
 */
export function remoteAddress(peer: string, forwardedFor: string | undefined): string {
  if (!TRUSTED_PROXIES.has(peer) || forwardedFor === undefined) return peer;
  for (const entry of forwardedFor.split(',').reverse()) {
    const ip = withoutPort(entry.trim());
    if (!TRUSTED_PROXIES.has(ip) && isIP(ip) !== 0) return ip;
  }
  return peer;
}

/** The socket's peer as PHP's REMOTE_ADDR shows it (IPv4-mapped IPv6 as plain IPv4). */
export function peerAddress(socketAddress: string | undefined): string {
  const address = socketAddress ?? '';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function withoutPort(entry: string): string {
  const colons = entry.split(':').length - 1;
  if (colons > 1) return /^\[(.+?)\](?::\d+)?$/.exec(entry)?.[1] ?? entry;
  if (colons === 1) return entry.slice(0, entry.indexOf(':'));
  return entry;
}
