import ipaddr from "ipaddr.js";
import { isIPv4Cidr, overlaps, subnetAt } from "./cidr.js";

/**
 * The engine's predefined address pools, and which subnet it hands a new network whose subnet nobody chose.
 * Pure: the caller lists the engine's networks and the host's routes (under the `address-pools` lock).
 */

/** One entry of `default-address-pools`: split `base` into blocks of `/size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/**
 * The engine's built-in local pools (libnetwork ipamutils): 172.17.0.0/16 … 172.31.0.0/16 as /16s, then
 * 192.168.0.0/16 as /20s. `default-address-pools` in daemon.json replaces them entirely.
 */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  { base: "172.17.0.0/16", size: 16 },
  { base: "172.18.0.0/16", size: 16 },
  { base: "172.19.0.0/16", size: 16 },
  { base: "172.20.0.0/14", size: 16 },
  { base: "172.24.0.0/14", size: 16 },
  { base: "172.28.0.0/14", size: 16 },
  { base: "192.168.0.0/16", size: 20 },
];

export class AddressPoolError extends Error {
  override name = "AddressPoolError";
}

/**
 * The pools an engine with these settings (daemon.json's names) hands subnets out of, and where they came
 * from; `where` says where `default-address-pools` was read (the engine, a dockerd flag, daemon.json).
 */
export function addressPoolsOf(
  daemonConfig: Record<string, unknown>,
  where = "daemon.json",
): { pools: AddressPool[]; source: string } {
  const configured = daemonConfig["default-address-pools"];
  if (configured === undefined)
    return {
      pools: [...DEFAULT_ADDRESS_POOLS],
      source: "the engine's built-in default pools (no default-address-pools found in its /info, flags or daemon.json)",
    };
  if (!Array.isArray(configured))
    throw new AddressPoolError(`${where} default-address-pools is not a list: ${JSON.stringify(configured)}`);
  const pools = configured.flatMap((entry: unknown) => {
    const { base, size } = (entry ?? {}) as { base?: unknown; size?: unknown };
    // IPv6 pools are the engine's too, but the lessons (and this helper) are IPv4.
    if (typeof base === "string" && base.includes(":")) return [];
    if (
      !isIPv4Cidr(base) ||
      typeof size !== "number" ||
      !Number.isInteger(size) ||
      size < ipaddr.parseCIDR(base)[1] ||
      size > 32
    ) {
      throw new AddressPoolError(
        `${where} default-address-pools has an entry the engine would refuse: ${JSON.stringify(entry)}`,
      );
    }
    return [{ base, size }];
  });
  return {
    pools,
    source: `default-address-pools ${pools.map((pool) => `base=${pool.base},size=${pool.size}`).join(" ")} (${where})`,
  };
}

/** Every subnet the pools can hand out, in the order the engine tries them. */
export function predefinedSubnets(pools: readonly AddressPool[]): string[] {
  return pools.flatMap(({ base, size }) => {
    const count = 2 ** (size - ipaddr.parseCIDR(base)[1]);
    return Array.from({ length: count }, (_, index) => subnetAt(base, size, index));
  });
}

/**
 * The subnet the engine hands the next network that does not name one: the first predefined subnet after
 * `after` (the one it handed out last; from the start when unknown), wrapping around, that overlaps nothing
 * in `inUse` (subnets of existing networks, host routes, the host's nameservers as /32).
 *
 * This is how libnetwork's default IPAM allocates since it keeps a start index: it does not go back to a
 * lower pool that a removed network freed until it has gone round. With `after` unset it is "lowest free".
 */
export function nextPoolSubnet(options: {
  subnets: readonly string[];
  inUse: readonly string[];
  after?: string;
}): string | undefined {
  const { subnets, inUse } = options;
  const last = options.after === undefined ? -1 : subnets.indexOf(options.after);
  for (let step = 1; step <= subnets.length; step += 1) {
    const candidate = subnets[(last + step) % subnets.length];
    if (candidate !== undefined && !inUse.some((used) => overlaps(used, candidate))) return candidate;
  }
  return undefined;
}

/**
 * A `/prefix` of `pool` that overlaps nothing in `used`, searching from the `start`-th block and wrapping, so
 * two runs that start at different places rarely want the same one.
 */
export function freeSubnetIn(pool: string, prefix: number, used: readonly string[], start = 0): string | undefined {
  const count = 2 ** (prefix - ipaddr.parseCIDR(pool)[1]);
  for (let attempt = 0; attempt < count; attempt += 1) {
    const candidate = subnetAt(pool, prefix, start + attempt);
    if (!used.some((prefixInUse) => overlaps(prefixInUse, candidate))) return candidate;
  }
  return undefined;
}

/** A route destination or an address as a prefix: `default` is no prefix, a bare address is a /32. */
export function asPrefix(destination: string): string | undefined {
  if (isIPv4Cidr(destination)) return destination;
  if (ipaddr.IPv4.isValidFourPartDecimal(destination)) return `${destination}/32`;
  return undefined;
}

/** The IPv4 `nameserver` lines of a resolv.conf (the engine avoids subnets holding them). */
export function nameserversOf(resolvConf: string): string[] {
  return [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)]
    .map((match) => match[1] ?? "")
    .filter((address) => ipaddr.IPv4.isValidFourPartDecimal(address));
}

/**
 * The IPv4 prefixes among subnets, routes and addresses: an engine with `--ipv6` lists IPv6 subnets among its
 * networks, which no IPv4 subnet can overlap (and which the IPv4 arithmetic must never be handed).
 */
export function ipv4Prefixes(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((value) => asPrefix(value) ?? []))];
}
