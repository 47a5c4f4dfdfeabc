// Which addresses the network tools (curl, visit_webpage) may reach: only public internet
// addresses, like Python's `ipaddress.is_global` that SMOLTRACE used. Every address a host name
// resolves to must be public, and the connection then goes to that vetted address, so a second
// DNS answer (rebinding) cannot redirect it. IPv4-mapped, NAT64 and 6to4 IPv6 forms are judged by
// the IPv4 address they embed.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ToolError } from './types.js';

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved'
  | 'invalid';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; tests inject one that maps names to loopback servers. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface NetworkGuardOptions {
  resolve?: HostResolver;
  /** Policy for a resolved address; default `isPublicAddress`. Tests widen it to reach a loopback server. */
  isAllowed?: (address: string) => boolean;
}

export const systemResolver: HostResolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

function classifyIPv4(octets: number[]): AddressClass {
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  if (a === 0) return 'unspecified';
  if (a === 10) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'shared (CGNAT)';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 0 && c === 0) return 'reserved';
  if (a === 192 && b === 0 && c === 2) return 'documentation';
  if (a === 192 && b === 88 && c === 99) return 'reserved';
  if (a === 192 && b === 168) return 'private';
  if (a === 198 && (b === 18 || b === 19)) return 'reserved';
  if (a === 198 && b === 51 && c === 100) return 'documentation';
  if (a === 203 && b === 0 && c === 113) return 'documentation';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a === 255 && b === 255 && c === 255 && d === 255) return 'broadcast';
  if (a >= 240) return 'reserved';
  return 'public';
}

function parseIPv4(text: string): number[] | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').map(Number);
}

/** The 8 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 accepted). */
export function parseIPv6(text: string): number[] | undefined {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(address) !== 6) return undefined;
  let head = address;
  const tailGroups: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const octets = parseIPv4(v4[1]!);
    if (!octets) return undefined;
    tailGroups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    head = address.slice(0, -v4[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  let groups: number[];
  if (head.includes('::')) {
    const [left = '', right = ''] = head.split('::');
    const l = parse(left);
    const r = [...parse(right), ...tailGroups];
    groups = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  } else groups = [...parse(head), ...tailGroups];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function embeddedIPv4(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function classifyIPv6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g7 === 1) return 'loopback';
  if (zeroUpTo(5) && g5 === 0xffff) return classifyIPv4(embeddedIPv4(g6, g7)); // ::ffff:a.b.c.d (mapped)
  if (zeroUpTo(4) && g4 === 0xffff && g5 === 0) return classifyIPv4(embeddedIPv4(g6, g7)); // ::ffff:0:a.b.c.d (translated)
  if (zeroUpTo(6)) return 'reserved'; // ::a.b.c.d (IPv4-compatible, deprecated)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIPv4(embeddedIPv4(g6, g7)); // NAT64
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'; // local-use NAT64
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'; // discard-only
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation';
  if (g0 === 0x2001 && g1 < 0x200) return 'reserved'; // IETF protocol assignments, incl. Teredo
  if (g0 === 0x2002) return classifyIPv4(embeddedIPv4(g1, g2)); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if ((g0 & 0xe000) === 0x2000) return 'public'; // 2000::/3, global unicast
  return 'reserved';
}

/** What kind of address `address` is (an IPv4 or IPv6 literal; brackets and zone ids allowed). */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseIPv4(address);
  if (v4) return classifyIPv4(v4);
  const v6 = parseIPv6(address);
  return v6 ? classifyIPv6(v6) : 'invalid';
}

export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}

/** Host of a URL without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Throws unless the URL is http(s), carries no credentials and has a host. */
export function checkUrlShape(url: URL, shown = url.href): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError(`Only http and https URLs are allowed, not '${url.protocol.replace(/:$/, '')}' (${shown})`);
  }
  if (url.username || url.password) throw new ToolError('Credentials in the URL are not allowed; send them in a header instead');
  if (!urlHost(url)) throw new ToolError(`The URL has no host: ${shown}`);
}

/**
 * The address to connect to for `url`: refused unless EVERY address the host resolves to is
 * allowed (a host with one private address among public ones is refused as a whole).
 */
export async function vetHost(url: URL, options: NetworkGuardOptions = {}): Promise<ResolvedAddress> {
  checkUrlShape(url);
  const host = urlHost(url);
  const allowed = options.isAllowed ?? isPublicAddress;
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ToolError(`Could not resolve host '${host}'${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    if (addresses.length === 0) throw new ToolError(`Could not resolve host '${host}' (no addresses)`);
  }
  for (const { address } of addresses) {
    if (!allowed(address)) {
      const kind = classifyAddress(address);
      const where = literal ? `${host} is` : `${host} resolves to ${address}, which is`;
      throw new ToolError(`Access denied: ${where} a ${kind} address; only public internet addresses may be reached`);
    }
  }
  // IPv4 first: containers often resolve AAAA records they cannot route.
  return addresses.find((entry) => entry.family === 4) ?? addresses[0]!;
}
