import { BlockList, isIP } from 'node:net';

export interface AddressPolicyOptions {
  /**
   * Addresses and CIDR ranges that may be connected to even though they are not public, e.g.
   * `127.0.0.0/8` for development or `10.1.2.0/24` for an internal receiver. An IPv4 entry also
   * allows the IPv6 forms embedding its addresses (`::ffff:127.0.0.1`, `64:ff9b::7f00:1`).
   * @defaultValue none: only public addresses may be connected to
   */
  allow?: readonly string[];
}

type Family = 'ipv4' | 'ipv6';

/** A range that is not publicly routable, and how a refusal names it. */
interface Range {
  cidr: string;
  /** Completes "x.x.x.x is …". */
  kind: string;
}

/**
 * Non-public IPv4 ranges (IANA special-purpose registry, RFC 6890), as Svix's webhook client
 * blocks them (ecosystem.md §3.4). More specific ranges come first: the first match names it.
 */
const IPV4_RANGES: readonly Range[] = [
  { cidr: '0.0.0.0/32', kind: 'an unspecified address' },
  { cidr: '0.0.0.0/8', kind: 'a "this network" address' },
  { cidr: '127.0.0.0/8', kind: 'a loopback address' },
  { cidr: '10.0.0.0/8', kind: 'a private address' },
  { cidr: '172.16.0.0/12', kind: 'a private address' },
  { cidr: '192.168.0.0/16', kind: 'a private address' },
  { cidr: '169.254.169.254/32', kind: 'a link-local address (cloud metadata)' },
  { cidr: '169.254.0.0/16', kind: 'a link-local address' },
  { cidr: '100.64.0.0/10', kind: 'a shared (carrier-grade NAT) address' },
  { cidr: '192.0.0.0/24', kind: 'an IETF protocol assignment address' },
  { cidr: '192.0.2.0/24', kind: 'a documentation address' },
  { cidr: '198.51.100.0/24', kind: 'a documentation address' },
  { cidr: '203.0.113.0/24', kind: 'a documentation address' },
  { cidr: '198.18.0.0/15', kind: 'a benchmarking address' },
  { cidr: '192.88.99.0/24', kind: 'a 6to4 relay anycast address' },
  { cidr: '224.0.0.0/4', kind: 'a multicast address' },
  { cidr: '255.255.255.255/32', kind: 'the broadcast address' },
  { cidr: '240.0.0.0/4', kind: 'a reserved address' },
];

/**
 * Non-public IPv6 ranges inside 2000::/3 or worth their own name; anything else outside 2000::/3
 * (global unicast) is refused as reserved. `::`, `::1` and the IPv4-embedding forms are judged
 * before these.
 */
const IPV6_RANGES: readonly Range[] = [
  { cidr: 'fc00::/7', kind: 'a private (unique local) address' },
  { cidr: 'fe80::/10', kind: 'a link-local address' },
  { cidr: 'fec0::/10', kind: 'a site-local address' },
  { cidr: 'ff00::/8', kind: 'a multicast address' },
  { cidr: '100::/64', kind: 'a discard-only address' },
  { cidr: '64:ff9b:1::/48', kind: 'a local-use NAT64 address' },
  { cidr: '2001:db8::/32', kind: 'a documentation address' },
  { cidr: '3fff::/20', kind: 'a documentation address' },
  { cidr: '2001::/32', kind: 'a Teredo address' },
  { cidr: '2001:2::/48', kind: 'a benchmarking address' },
  { cidr: '2001::/23', kind: 'an IETF protocol assignment address' },
  // 6to4 embeds an IPv4 address but reaches it through a relay: refused whole, as Svix does.
  { cidr: '2002::/16', kind: 'a 6to4 address' },
  { cidr: '5f00::/16', kind: 'an SRv6 address' },
];

/**
 * Decides whether the webhook sender may connect to an IP address: only to public ones, unless
 * allow-listed, so that a subscriber cannot aim deliveries at the gateway's own network (SSRF;
 * ecosystem.md §3.4). IPv6 forms that embed an IPv4 address are judged by that address.
 */
export class AddressPolicy {
  readonly #allowed = new BlockList();
  readonly #ranges = {
    ipv4: IPV4_RANGES.map((range) => ({ ...range, list: blockList(range.cidr, 'ipv4') })),
    ipv6: IPV6_RANGES.map((range) => ({ ...range, list: blockList(range.cidr, 'ipv6') })),
  };
  readonly #globalUnicast = blockList('2000::/3', 'ipv6');

  /** Throws a `TypeError` naming the first allow-list entry that is not an address or range. */
  constructor(options: AddressPolicyOptions = {}) {
    for (const entry of options.allow ?? []) addEntry(this.#allowed, entry);
  }

  /** Why `address` may not be connected to, or `undefined` when it may. */
  refusal(address: string): string | undefined {
    // A zone (`fe80::1%eth0`) picks an interface; the address alone decides.
    const bare = address.split('%', 1)[0] ?? '';
    const version = isIP(bare);
    if (version === 0) return `${address} is not an IP address`;
    if (version === 4) return this.#refuseIpv4(bare, address);
    return this.#refuseIpv6(bare, address);
  }

  /** Whether `address` may be connected to. */
  allows(address: string): boolean {
    return this.refusal(address) === undefined;
  }

  /**
   * Whether an operator allow-listed `address` (an IPv4 one also in its IPv6-mapped form): such
   * a destination is trusted enough for plain http, e.g. a receiver on loopback in development.
   */
  isAllowListed(address: string): boolean {
    const bare = address.split('%', 1)[0] ?? '';
    const version = isIP(bare);
    if (version === 4) return this.#allowed.check(bare, 'ipv4');
    if (version === 0) return false;
    const ipv4 = embeddedIpv4(ipv6Groups(bare));
    return (
      this.#allowed.check(bare, 'ipv6') || (ipv4 !== undefined && this.#allowed.check(ipv4, 'ipv4'))
    );
  }

  #refuseIpv4(bare: string, shown: string): string | undefined {
    const kind = this.#ipv4Kind(bare);
    return kind && `${shown} is ${kind}`;
  }

  #refuseIpv6(bare: string, shown: string): string | undefined {
    if (this.#allowed.check(bare, 'ipv6')) return undefined;
    const groups = ipv6Groups(bare);
    if (groups.every((group) => group === 0)) return `${shown} is an unspecified address`;
    if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) {
      return `${shown} is a loopback address`;
    }
    const ipv4 = embeddedIpv4(groups);
    if (ipv4 !== undefined) {
      const kind = this.#ipv4Kind(ipv4);
      return kind && `${shown} embeds ${ipv4}, ${kind}`;
    }
    const range = this.#ranges.ipv6.find(({ list }) => list.check(bare, 'ipv6'));
    if (range) return `${shown} is ${range.kind}`;
    if (!this.#globalUnicast.check(bare, 'ipv6')) return `${shown} is a reserved address`;
    return undefined;
  }

  /** What kind of non-public address `ipv4` is, or `undefined` when public or allow-listed. */
  #ipv4Kind(ipv4: string): string | undefined {
    if (this.#allowed.check(ipv4, 'ipv4')) return undefined;
    return this.#ranges.ipv4.find(({ list }) => list.check(ipv4, 'ipv4'))?.kind;
  }
}

function blockList(cidr: string, family: Family): BlockList {
  const list = new BlockList();
  const [network = '', prefix] = cidr.split('/');
  list.addSubnet(network, Number(prefix), family);
  return list;
}

/** Adds `127.0.0.1`, `127.0.0.0/8`, `::1` or `fd00::/8` to `list`. */
function addEntry(list: BlockList, entry: string): void {
  const [network = '', prefix, ...rest] = entry.trim().split('/');
  const version = isIP(network);
  const bits = prefix === undefined ? undefined : Number(prefix);
  const max = version === 4 ? 32 : 128;
  const validPrefix =
    bits === undefined || (/^\d+$/.test(prefix ?? '') && bits >= 0 && bits <= max);
  if (version === 0 || rest.length > 0 || !validPrefix) {
    throw new TypeError(`allow-list entry "${entry}" is not an IP address or CIDR range`);
  }
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(network, family);
  else list.addSubnet(network, bits, family);
}

/** The eight 16-bit groups of a valid IPv6 address without zone, e.g. `::ffff:1.2.3.4`. */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  if (tail === undefined) return parse(head);
  const [before, after] = [parse(head), parse(tail)];
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/**
 * The IPv4 address carried by an IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible (`::/96`) or
 * NAT64 (`64:ff9b::/96`, RFC 6052) address: connecting to one reaches that IPv4 address.
 */
function embeddedIpv4(groups: readonly number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const middleZero = g2 === 0 && g3 === 0 && g4 === 0;
  const mapped = g0 === 0 && g1 === 0 && middleZero && (g5 === 0xffff || g5 === 0);
  const nat64 = g0 === 0x64 && g1 === 0xff9b && middleZero && g5 === 0;
  if (!mapped && !nat64) return undefined;
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.');
}
