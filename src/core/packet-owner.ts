import ipaddr from "ipaddr.js";

/**
 * Whose a captured packet is, from its source address: pure, over an address book the caller read from the
 * engine and the configuration at the moment the packet was seen.
 */

/** One line of `tcpdump -nn -q`, its addresses without ports. */
export interface CapturedPacket {
  line: string;
  source: string;
  destination: string;
}

/** An address or a subnet, and who holds it: a container, a network or one of netlab's own pools. */
export interface AddressHolder {
  kind: "container" | "network" | "pool";
  name: string;
  /** Made by netlab (labelled `dev.netlab.managed`, or one of its configured pools). */
  netlab: boolean;
  /** A container's own addresses. */
  addresses?: string[];
  /** A network's subnets, a pool's range. */
  subnets?: string[];
}

/** tcpdump's `a.b.c.d.port` (IPv4) or `addr.port` (IPv6) as the bare address. */
function withoutPort(word: string, family: "IP" | "IP6"): string {
  if (family === "IP") return word.split(".").slice(0, 4).join(".");
  // An IPv6 address holds no dot, but an IPv4-mapped one (::ffff:192.0.2.1) does: a port is a last part after a whole address.
  const head = word.slice(0, word.lastIndexOf("."));
  return word.includes(".") && ipaddr.IPv6.isValid(head) ? head : word;
}

/** The addresses of a tcpdump line ("… IP 10.0.0.2.41000 > 198.18.0.2.80: tcp 0"); undefined for ARP and the like. */
export function parsePacketLine(line: string): CapturedPacket | undefined {
  const match = /\b(IP6?) (\S+) > (\S+): /.exec(line);
  if (!match) return undefined;
  const family = match[1] as "IP" | "IP6";
  return { line, source: withoutPort(match[2] ?? "", family), destination: withoutPort(match[3] ?? "", family) };
}

function inSubnet(address: string, subnet: string): boolean {
  try {
    const parsed = ipaddr.parse(address);
    const [range, bits] = ipaddr.parseCIDR(subnet);
    return parsed.kind() === range.kind() && parsed.match(range, bits);
  } catch {
    return false;
  }
}

/**
 * Who holds `address`: a container holding it first (its own labels say whose it is, whatever network it is
 * on), then a network or pool whose range holds it. Undefined when nobody does (a container gone already,
 * another program's namespace).
 */
export function holderOf(address: string, book: readonly AddressHolder[]): AddressHolder | undefined {
  const normal = ipaddr.isValid(address) ? ipaddr.parse(address).toString() : address;
  const exact = book.find((holder) =>
    holder.addresses?.some((held) => ipaddr.isValid(held) && ipaddr.parse(held).toString() === normal),
  );
  return exact ?? book.find((holder) => holder.subnets?.some((subnet) => inSubnet(address, subnet)));
}

/** How a counted or ignored packet is shown: its line and who sent it. */
export function describeHolder(holder: AddressHolder | undefined): string {
  if (!holder) return "from an address no container, network or netlab pool holds";
  return `from ${holder.kind} ${holder.name}${holder.netlab ? " (netlab's)" : " (not netlab's)"}`;
}
