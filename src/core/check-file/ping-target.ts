import ipaddr from "ipaddr.js";
import { NAME_PATTERN } from "./endpoint.js";
import { bad, ok, type Parsed } from "./parsed.js";

/** What `ping:` names: a container (or service) by name, an address (IPv4 or IPv6), or the host. */
export type PingTarget = { kind: "name"; name: string } | { kind: "host" } | { kind: "address"; address: string };

/** `ping:`: NAME, `host`, or an IPv4/IPv6 address; an echo has no port. */
export function parsePingTarget(text: string): Parsed<PingTarget> {
  if (text === "host") return ok({ kind: "host" });
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ok({ kind: "address", address: text });
  // As the engine prints it (fd00:1::2), so it compares with the addresses a container has.
  if (ipaddr.IPv6.isValid(text)) return ok({ kind: "address", address: ipaddr.parse(text).toString() });
  if (text === "outside")
    return bad("bad ping target `outside`: ping a container, host or an address (from: outside, ping: host)");
  if (/^[\d.]+$/.test(text)) return bad(`bad ping target \`${text}\`: not an IPv4 address (four numbers, 10.0.0.2)`);
  if (text.includes(":"))
    return bad(`bad ping target \`${text}\`: an echo has no port; write NAME, host, or an IPv4/IPv6 address`);
  if (!NAME_PATTERN.test(text)) return bad(`bad ping target \`${text}\`: not a container or service name`);
  return ok({ kind: "name", name: text });
}

export function formatPingTarget(target: PingTarget): string {
  return target.kind === "name" ? target.name : target.kind === "address" ? target.address : "host";
}
