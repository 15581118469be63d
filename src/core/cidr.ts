import ipaddr from "ipaddr.js";

/** Address arithmetic the labs need, on top of ipaddr.js. IPv4 only: the lessons are IPv4. */

export function toNumber(address: string): number {
  return ipaddr.IPv4.parse(address)
    .toByteArray()
    .reduce((sum, byte) => sum * 256 + byte, 0);
}

export function fromNumber(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function contains(cidr: string, address: string): boolean {
  const parsed = ipaddr.IPv4.parseCIDR(cidr);
  return ipaddr.IPv4.parse(address).match(parsed);
}

export function overlaps(a: string, b: string): boolean {
  const [networkA, bitsA] = ipaddr.IPv4.parseCIDR(a);
  const [networkB, bitsB] = ipaddr.IPv4.parseCIDR(b);
  const shorter = Math.min(bitsA, bitsB);
  return networkA.match(networkB, shorter);
}

/** The lowest usable host address of `cidr` not in `used` (put the gateway in `used`). */
export function lowestFree(cidr: string, used: Iterable<string>): string | undefined {
  const taken = new Set([...used].map(toNumber));
  const first = toNumber(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()) + 1;
  const last = toNumber(ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString()) - 1;
  for (let candidate = first; candidate <= last; candidate += 1) {
    if (!taken.has(candidate)) return fromNumber(candidate);
  }
  return undefined;
}

/** The `index`-th block of `/prefix` inside `pool`, as a CIDR string. */
export function subnetAt(pool: string, prefix: number, index: number): string {
  const [, bits] = ipaddr.IPv4.parseCIDR(pool);
  const count = 2 ** (prefix - bits);
  const base = toNumber(ipaddr.IPv4.networkAddressFromCIDR(pool).toString());
  const block = ((index % count) + count) % count;
  return `${fromNumber(base + block * 2 ** (32 - prefix))}/${prefix}`;
}

export function hostAt(cidr: string, offset: number): string {
  return fromNumber(toNumber(ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()) + offset);
}

/** Whether `value` is an IPv4 CIDR (an IPv6 one, or anything else, is not: the lessons are IPv4). */
export function isIPv4Cidr(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    return ipaddr.parseCIDR(value)[0].kind() === "ipv4";
  } catch {
    return false;
  }
}

/**
 * The IPv4 entry of a network's IPAM config: an engine with `--ipv6` lists an IPv6 subnet beside (and
 * sometimes before) the IPv4 one.
 */
export function ipv4Ipam<T extends { Subnet?: string }>(configs: readonly T[] | null | undefined): T | undefined {
  return (configs ?? []).find((config) => isIPv4Cidr(config.Subnet));
}
