// Which redirects a download may follow. GitHub release assets redirect to another host, so redirects are
// followed, but every hop is checked twice: on its URL before any connection, and on each address DNS gives for
// its host before the socket connects (so a name that resolves to 127.0.0.1 or 10.x is refused like the literal).
import ipaddr from 'ipaddr.js';

/** GitHub needs one hop (api → objects.githubusercontent.com); curl allows 50, fetch 20. */
export const MAX_REDIRECTS = 5;

// Parsed on first use: a module-level parse loaded ipaddr.js in every command that imports the fetch layer
// (~0.6 ms of a warm `wharf search`, which fetches nothing).
let nat64: [ipaddr.IPv6, number] | undefined;
const NAT64 = () => {
  nat64 ??= ipaddr.IPv6.parseCIDR('64:ff9b::/96');
  return nat64;
};

export type AddressClass = 'loopback' | 'private' | 'public';

/**
 * loopback, private (RFC 1918, unique-local, link-local, CGNAT, unspecified, multicast, reserved …), or public.
 * Only ipaddr.js's plain `unicast` range is public: anything it can't parse or names otherwise fails closed.
 */
export function addressClass(address: string): AddressClass {
  let a: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    a = ipaddr.process(address.replace(/^\[|\]$/g, '')); // IPv4-mapped IPv6 becomes the IPv4 it maps
  } catch {
    return 'private';
  }
  let range = a.range();
  // NAT64 (64:ff9b::/96) carries an IPv4 address: a DNS64 network maps public hosts there.
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).match(NAT64())) {
    range = ipaddr.fromByteArray((a as ipaddr.IPv6).toByteArray().slice(12)).range();
  }
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}

/** The class a URL's host has without DNS: a literal address or a `localhost` name; undefined needs a lookup. */
export function hostClass(url: URL): AddressClass | undefined {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback'; // RFC 6761: never leaves the machine
  const bare = host.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? addressClass(bare) : undefined;
}

export interface Hop {
  url: string | URL;
  /** The address this hop's host resolved to (or the socket connected to); absent before DNS. */
  address?: string;
}

/**
 * Why the redirect from `from` (the reply that carried the Location) to `to` must not be followed, or undefined.
 * Pure, so every combination is unit-tested; the fetch calls it once per hop before connecting and once per
 * resolved address. Rules: https only, except http from a loopback host to a loopback host; loopback targets only
 * from loopback; private, link-local and other non-public targets never from a public origin.
 * A `from` without an address is judged by its URL, and an unknown host counts as public. `classify` is a seam for
 * tests, whose servers are all on loopback; it gets each address with the host name it was resolved for.
 */
export function redirectProblem(
  from: Hop,
  to: Hop,
  classify: (address: string, host: string) => AddressClass = addressClass,
): string | undefined {
  let src: URL;
  let dst: URL;
  try {
    src = new URL(from.url);
    dst = new URL(to.url);
  } catch {
    return 'the reply named a Location that is not a valid URL';
  }
  const target = shownOrigin(dst);
  if (dst.protocol !== 'https:' && dst.protocol !== 'http:') return `it points to a ${dst.protocol} URL, not https`;
  if (dst.username !== '' || dst.password !== '') return `${target} carries a user name or password`;
  const fromClass = from.address !== undefined ? classify(from.address, src.hostname) : (hostClass(src) ?? 'public');
  const byName = hostClass(dst);
  const toClass = to.address !== undefined ? classify(to.address, dst.hostname) : byName;
  if (dst.protocol === 'http:' && !(fromClass === 'loopback' && byName === 'loopback' && toClass === 'loopback')) {
    return `${target} is plain http (only https, or http from loopback to loopback, is followed)`;
  }
  if (toClass === 'loopback' && fromClass !== 'loopback') {
    return `${target} is on this machine (loopback), and ${shownOrigin(src)} is not`;
  }
  if (toClass === 'private' && fromClass === 'public') {
    return `${target} is a private, link-local or reserved address, and ${shownOrigin(src)} is public`;
  }
  return undefined;
}

/** Scheme, host and port only: the URL parser has normalised them, so no raw bytes of the reply get through. */
export function shownOrigin(u: URL): string {
  return `${u.protocol}//${u.host}`;
}
