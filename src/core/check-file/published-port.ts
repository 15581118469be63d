import ipaddr from "ipaddr.js";
import { bad, ok, type Parsed } from "./parsed.js";
import { parsePortNumber } from "./port-number.js";

/**
 * One host binding of a published port, in `docker ps` notation. No `hostIp` means what `-p 8443:80`
 * publishes: every IPv4 address (0.0.0.0), with the [::] twin an engine with IPv6 adds allowed beside it;
 * `[::]` is IPv6 only. `text` is the normal form, e.g. `127.0.0.1:8443->80/tcp`.
 */
export interface PublishedPort {
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
  text: string;
}

const NOTATION = /^(?:(\[[^\]]*\]|[^:[\]]+):)?([^:]+)->([^/]+)(?:\/(.*))?$/;
export const PUBLISHED_PORT_PATTERN = "^(\\[[0-9a-fA-F:.]+\\]:|[0-9.]+:)?\\d+->\\d+(/(tcp|udp))?$";

/** `[HOSTIP:]HOSTPORT->CPORT[/tcp|udp]`, IPv6 hosts in brackets (`[::]:8443->80/tcp`); the protocol defaults to tcp. */
export function parsePublishedPort(text: string): Parsed<PublishedPort> {
  const match = NOTATION.exec(text.trim());
  if (!match)
    return bad(`bad published port \`${text}\`: write [HOSTIP:]HOSTPORT->PORT/tcp, like 127.0.0.1:8443->80/tcp`);
  const [, ipText, hostPortText = "", containerPortText = "", protocol = "tcp"] = match;
  if (protocol !== "tcp" && protocol !== "udp") return bad(`bad protocol \`${protocol}\` in \`${text}\`: tcp or udp`);
  const hostPort = parsePortNumber(hostPortText, text);
  if (!hostPort.ok) return hostPort;
  const containerPort = parsePortNumber(containerPortText, text);
  if (!containerPort.ok) return containerPort;
  let hostIp: string | undefined;
  if (ipText !== undefined) {
    const bare = ipText.startsWith("[") ? ipText.slice(1, -1) : ipText;
    const valid = ipText.startsWith("[") ? ipaddr.IPv6.isValid(bare) : ipaddr.IPv4.isValidFourPartDecimal(bare);
    if (!valid) return bad(`bad host address \`${ipText}\` in \`${text}\`: IPv4, or IPv6 in brackets like [::]`);
    hostIp = ipaddr.parse(bare).toString();
  }
  const host = hostIp === undefined ? "" : hostIp.includes(":") ? `[${hostIp}]:` : `${hostIp}:`;
  return ok({
    ...(hostIp === undefined ? {} : { hostIp }),
    hostPort: hostPort.value,
    containerPort: containerPort.value,
    protocol,
    text: `${host}${hostPort.value}->${containerPort.value}/${protocol}`,
  });
}
