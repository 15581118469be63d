import ipaddr from "ipaddr.js";
import { bad, ok, type Parsed } from "./parsed.js";
import { parsePortNumber } from "./port-number.js";

/** Who probes, or who is probed: a container (or compose service) by name, a named network namespace, the host, the outside sentinel, an address. */
export type Endpoint =
  | { kind: "name"; name: string }
  | { kind: "netns"; name: string }
  | { kind: "host" }
  | { kind: "outside" }
  | { kind: "address"; address: string };

/** The transport a target is dialled over; absent on a target means tcp. */
export type Protocol = "tcp" | "udp";

/**
 * What `to:` names: every target has a port except the sentinel, whose port is the runtime's to choose.
 * `protocol` is set only for udp (`NAME:PORT/udp`); an address target may be IPv4 or IPv6 (`[fd00::2]:80`).
 */
export type Target =
  | { kind: "name"; name: string; port: number; protocol?: Protocol }
  | { kind: "host"; port: number; protocol?: Protocol }
  | { kind: "address"; address: string; port: number; protocol?: Protocol }
  | { kind: "outside"; port?: number };

/** Container names as Docker allows them (compose service names are a subset). */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const LOOKS_NUMERIC = /^[\d.]+$/;
/** `netns:NAME`: a namespace made with `ip netns add NAME` (a file in /run/netns). */
export const NETNS_PREFIX = "netns:";

/** How a spec writes a named namespace: `netns:NAME`. */
export function namespaceText(name: string): string {
  return `${NETNS_PREFIX}${name}`;
}

/** The name in `netns:NAME`, or a message saying why it is not one. */
export function parseNamespace(text: string): Parsed<string> {
  const name = text.slice(NETNS_PREFIX.length);
  if (!text.startsWith(NETNS_PREFIX) || !NAME_PATTERN.test(name))
    return bad(`bad namespace \`${text}\`: write netns:NAME, NAME as \`ip netns list\` shows it`);
  return ok(name);
}

/** `from:`: a container or service name, `netns:NAME`, `host` or `outside`. */
export function parseSource(text: string): Parsed<Endpoint> {
  if (text === "host") return ok({ kind: "host" });
  if (text === "outside") return ok({ kind: "outside" });
  if (text.startsWith(NETNS_PREFIX)) {
    const name = parseNamespace(text);
    return name.ok ? ok({ kind: "netns", name: name.value }) : name;
  }
  if (text.includes(":"))
    return bad(
      `bad source \`${text}\`: \`from\` takes a container name, netns:NAME, \`host\` or \`outside\`, without a port`,
    );
  if (LOOKS_NUMERIC.test(text))
    return bad(`bad source \`${text}\`: an address cannot probe; name a container, \`host\` or \`outside\``);
  if (!NAME_PATTERN.test(text)) return bad(`bad source \`${text}\`: not a container or service name`);
  return ok({ kind: "name", name: text });
}

const TARGET_FORMS = "NAME:PORT, host:PORT, IPv4:PORT, [IPv6]:PORT (each with /udp for UDP) or outside";

/** `/udp` or `/tcp` at the end of a target, and the target without it. */
function splitProtocol(text: string): Parsed<{ rest: string; protocol?: Protocol }> {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return ok({ rest: text });
  const protocol = text.slice(slash + 1);
  if (protocol !== "tcp" && protocol !== "udp")
    return bad(`bad target \`${text}\`: the protocol after / is tcp or udp, not \`${protocol}\``);
  return ok({ rest: text.slice(0, slash), ...(protocol === "udp" ? { protocol } : {}) });
}

/** `to:`: NAME:PORT, host:PORT, IPv4:PORT, [IPv6]:PORT, each optionally /udp or /tcp; `outside` or outside:PORT. */
export function parseTarget(text: string): Parsed<Target> {
  if (text === "outside") return ok({ kind: "outside" });
  const split = splitProtocol(text);
  if (!split.ok) return split;
  const { rest, protocol } = split.value;
  const over = protocol ? { protocol } : {};
  const colon = rest.lastIndexOf(":");
  if (colon < 0) return bad(`bad target \`${text}\`: give ${TARGET_FORMS}`);
  const host = rest.slice(0, colon);
  const port = parsePortNumber(rest.slice(colon + 1), text);
  if (!port.ok) return port;
  if (host === "outside") {
    if (protocol) return bad(`bad target \`${text}\`: the outside answers TCP only; write outside:PORT`);
    return ok({ kind: "outside", port: port.value });
  }
  if (host === "host") return ok({ kind: "host", port: port.value, ...over });
  if (host.startsWith("[") && host.endsWith("]")) {
    const bare = host.slice(1, -1);
    if (!ipaddr.IPv6.isValid(bare)) return bad(`bad target \`${text}\`: \`${bare}\` is not an IPv6 address`);
    return ok({ kind: "address", address: ipaddr.parse(bare).toString(), port: port.value, ...over });
  }
  if (host.includes(":"))
    return bad(`bad target \`${text}\`: write an IPv6 address in brackets, like [fd00:1::2]:${port.value}`);
  if (LOOKS_NUMERIC.test(host)) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(host))
      return bad(`bad target \`${text}\`: \`${host}\` is not an IPv4 address`);
    return ok({ kind: "address", address: host, port: port.value, ...over });
  }
  if (!NAME_PATTERN.test(host)) return bad(`bad target \`${text}\`: give ${TARGET_FORMS}`);
  return ok({ kind: "name", name: host, port: port.value, ...over });
}

/** An address as it sits before `:PORT`: IPv6 in brackets. */
export function hostText(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

export function formatEndpoint(endpoint: Endpoint | Target): string {
  const base =
    endpoint.kind === "name"
      ? endpoint.name
      : endpoint.kind === "netns"
        ? namespaceText(endpoint.name)
        : endpoint.kind === "address"
          ? hostText(endpoint.address)
          : endpoint.kind;
  const udp = "protocol" in endpoint && endpoint.protocol === "udp" ? "/udp" : "";
  return "port" in endpoint && endpoint.port !== undefined ? `${base}:${endpoint.port}${udp}` : base;
}

/** The address family a reach dials: 4 (the default) or 6 (`ip: 6`). */
export type IpFamily = 4 | 6;

/** Why `ip:` does not fit a target (an address literal of the other family, the IPv4-only outside), or undefined. */
export function ipFamilyProblem(ip: IpFamily, target: Target): string | undefined {
  if (target.kind === "outside" && ip === 6) return "`ip: 6` with to: outside: netlab's outside answers IPv4 only";
  if (target.kind !== "address") return undefined;
  const family = target.address.includes(":") ? 6 : 4;
  if (family === ip) return undefined;
  return `\`ip: ${ip}\` with ${formatEndpoint(target)}, an IPv${family} address: the address says its family, drop \`ip\``;
}
