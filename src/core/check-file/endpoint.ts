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

/** What `to:` names: every target has a port except the sentinel, whose port is the runtime's to choose. */
export type Target =
  | { kind: "name"; name: string; port: number }
  | { kind: "host"; port: number }
  | { kind: "address"; address: string; port: number }
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

/** `to:`: NAME:PORT, host:PORT, IPv4:PORT, `outside` or outside:PORT. */
export function parseTarget(text: string): Parsed<Target> {
  if (text === "outside") return ok({ kind: "outside" });
  const colon = text.lastIndexOf(":");
  if (colon < 0) return bad(`bad target \`${text}\`: give NAME:PORT, host:PORT, IPv4:PORT or outside`);
  const host = text.slice(0, colon);
  const port = parsePortNumber(text.slice(colon + 1), text);
  if (!port.ok) return port;
  if (host === "outside") return ok({ kind: "outside", port: port.value });
  if (host === "host") return ok({ kind: "host", port: port.value });
  if (LOOKS_NUMERIC.test(host)) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(host))
      return bad(`bad target \`${text}\`: \`${host}\` is not an IPv4 address`);
    return ok({ kind: "address", address: host, port: port.value });
  }
  if (!NAME_PATTERN.test(host)) return bad(`bad target \`${text}\`: give NAME:PORT, host:PORT, IPv4:PORT or outside`);
  return ok({ kind: "name", name: host, port: port.value });
}

export function formatEndpoint(endpoint: Endpoint | Target): string {
  const base =
    endpoint.kind === "name"
      ? endpoint.name
      : endpoint.kind === "netns"
        ? namespaceText(endpoint.name)
        : endpoint.kind === "address"
          ? endpoint.address
          : endpoint.kind;
  return "port" in endpoint && endpoint.port !== undefined ? `${base}:${endpoint.port}` : base;
}
