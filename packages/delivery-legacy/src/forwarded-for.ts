import type { IncomingHttpHeaders } from 'node:http';
import { isIPv4, isIPv6, SocketAddress } from 'node:net';

/**
 * The client address chain sent to Nextcloud as `X-Forwarded-For`, built the way upstream's
 * warp-real-ip 0.2.0 does (reference/notify_push.md §7.1): the `X-Forwarded-For` list if every
 * entry is an IP, else `X-Real-IP`, else the `for=` IPs of RFC 7239 `Forwarded`; then the TCP
 * peer. No trust decision is made here: Nextcloud decides which hops it trusts.
 *
 * @param peerAddress the socket's remote address; `undefined` on a Unix socket (not appended)
 */
export function forwardedForChain(
  headers: IncomingHttpHeaders,
  peerAddress: string | undefined,
): string[] {
  const chain = headersChain(headers);
  const peer = peerAddress === undefined ? undefined : parseIp(unmapIPv4(peerAddress));
  return peer === undefined ? chain : [...chain, peer];
}

function headersChain(headers: IncomingHttpHeaders): string[] {
  const forwardedFor = headerValue(headers['x-forwarded-for']);
  const list = forwardedFor === undefined ? undefined : parseForwardedForList(forwardedFor);
  if (list !== undefined) return list;
  const realIp = headerValue(headers['x-real-ip']);
  if (realIp !== undefined) {
    // A present but unparsable X-Real-IP ends the search, as in warp-real-ip.
    const ip = parseIp(unbracket(unquote(realIp.trim())));
    return ip === undefined ? [] : [ip];
  }
  const forwarded = headerValue(headers.forwarded);
  return forwarded === undefined ? [] : parseForwardedHeader(forwarded);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Every entry must be an IP; one bad entry (`unknown`, an address with a port) voids the list. */
function parseForwardedForList(header: string): string[] | undefined {
  const ips: string[] = [];
  for (const entry of splitCommaSeparated(header)) {
    const ip = parseIp(unbracket(unquote(entry.trim())));
    if (ip === undefined) return undefined;
    ips.push(ip);
  }
  return ips;
}

/**
 * Splits at commas outside double quotes. An empty entry (`,a`) is kept so that it fails to
 * parse; a trailing comma is not an entry; text after a closing quote up to the comma is dropped.
 */
function splitCommaSeparated(header: string): string[] {
  const entries: string[] = [];
  let state: 'start' | 'token' | 'quoted' | 'escaped' | 'afterQuote' = 'start';
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (state === 'start') {
      if (c === ',') entries.push('');
      else if (c !== ' ' && c !== '\t') {
        start = i;
        state = c === '"' ? 'quoted' : 'token';
      }
    } else if (state === 'token') {
      if (c === ',') {
        entries.push(header.slice(start, i));
        state = 'start';
      }
    } else if (state === 'quoted') {
      if (c === '"') {
        entries.push(header.slice(start, i + 1));
        state = 'afterQuote';
      } else if (c === '\\') state = 'escaped';
    } else if (state === 'escaped') state = 'quoted';
    else if (c === ',') state = 'start';
  }
  if (state === 'token' || state === 'quoted' || state === 'escaped') {
    entries.push(header.slice(start));
  }
  return entries;
}

/** `"a\"b"` → `a"b`; anything not starting with a quote is returned as is. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const c = value[i];
    if (c === '"') break;
    if (c === '\\') i++;
    out += value[i] ?? '';
  }
  return out;
}

function unbracket(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
}

/** RFC 7239: comma-separated elements of `;`-separated pairs; bad elements are skipped. */
function parseForwardedHeader(header: string): string[] {
  const ips: string[] = [];
  for (const element of header.split(',')) {
    const ip = parseForwardedElement(element.trim());
    if (ip !== undefined) ips.push(ip);
  }
  return ips;
}

class InvalidForwardedElement extends Error {}

function parseForwardedElement(element: string): string | undefined {
  let forIp: string | undefined;
  try {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) throw new InvalidForwardedElement(pair);
      const name = pair.slice(0, eq).toLowerCase();
      if (name !== 'for' && name !== 'by') continue;
      // `by=` is parsed only because an invalid one voids the element upstream.
      const ip = parseNodeIdentifier(trimQuotes(pair.slice(eq + 1)));
      if (name === 'for') forIp = ip;
    }
  } catch (err) {
    if (err instanceof InvalidForwardedElement) return undefined;
    throw err;
  }
  return forIp;
}

function trimQuotes(value: string): string {
  return value.replace(/^"+|"+$/g, '');
}

/** `node[:port]`; returns the IP, or `undefined` for `unknown` and obfuscated (`_x`) nodes. */
function parseNodeIdentifier(node: string): string | undefined {
  const colon = node.lastIndexOf(':');
  const bracket = node.lastIndexOf(']');
  const hasPort = colon >= 0 && colon > bracket;
  if (hasPort && !isPort(node.slice(colon + 1))) throw new InvalidForwardedElement(node);
  return parseNodeName(hasPort ? node.slice(0, colon) : node);
}

/** A u16 as Rust parses it: decimal digits, optional leading `+`. */
function isPort(value: string): boolean {
  return /^\+?\d+$/.test(value) && Number(value) <= 0xffff;
}

function parseNodeName(name: string): string | undefined {
  if (name === 'unknown') return undefined;
  if (name.startsWith('_')) {
    if (/^[\p{L}\p{N}._]+$/u.test(name)) return undefined;
    throw new InvalidForwardedElement(name);
  }
  const ipv6 = name.startsWith('[') && name.endsWith(']');
  const ip = parseIp(ipv6 ? name.slice(1, -1) : name);
  if (ip === undefined || isIPv6(ip) !== ipv6) throw new InvalidForwardedElement(name);
  return ip;
}

/** A plain IPv4 or IPv6 address (no zone, no port) in canonical form, else `undefined`. */
function parseIp(value: string): string | undefined {
  if (isIPv4(value)) return value;
  if (!isIPv6(value) || value.includes('%')) return undefined;
  return new SocketAddress({ address: value, family: 'ipv6' }).address;
}

/** Dual-stack sockets report IPv4 peers as `::ffff:a.b.c.d`; Nextcloud expects `a.b.c.d`. */
function unmapIPv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
