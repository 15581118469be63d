import type { ProbeSite } from "../runtime/site.js";

/** The ports something listens on (TCP) or is bound to (UDP) in one network namespace, IPv4 and IPv6 alike. */
export interface ListeningPorts {
  tcp: Set<number>;
  udp: Set<number>;
  /** TCP ports listening on an address other containers can dial: not only on loopback (127.0.0.11's DNS is). */
  tcpBeyondLoopback: Set<number>;
}

/** Whether a /proc/net local address (hex, each IPv4 word little-endian) is loopback: 127/8, ::1, ::ffff:127/104. */
function isLoopback(hex: string): boolean {
  const upper = hex.toUpperCase();
  if (upper.length === 8) return upper.endsWith("7F");
  return (
    upper === "00000000000000000000000001000000" ||
    (upper.startsWith("0000000000000000FFFF0000") && upper.endsWith("7F"))
  );
}

/** TCP_LISTEN in the `st` column of /proc/net/tcp{,6}. */
const TCP_LISTEN = "0A";
const UDP_MARK = "#udp";

/**
 * The local ports of the sockets in /proc/net/{tcp,udp}{,6} text (`sl local_address rem_address st …`, the
 * port in hex after the colon), those in `state` only when given: a UDP socket is bound in any state.
 */
export function portsIn(text: string, state?: string, options: { loopback?: boolean } = {}): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const [, local, , st] = line.trim().split(/\s+/);
    const [address = "", hex] = local?.split(":") ?? [];
    if (!hex || !/^[0-9A-F]{4}$/i.test(hex) || (state !== undefined && st !== state)) continue;
    if (options.loopback === false && isLoopback(address)) continue;
    ports.add(Number.parseInt(hex, 16));
  }
  return ports;
}

/** The command that reads them: /proc/net is the reading process's network namespace, so run it inside one. */
export const SOCKETS_ARGV = [
  "sh",
  "-c",
  `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; echo ${UDP_MARK}; cat /proc/net/udp /proc/net/udp6 2>/dev/null`,
];

/** What listens in `site`'s network namespace now (a sidecar joined with `--network container:X` reads X's). */
export async function listeningPorts(site: ProbeSite, timeoutMs: number): Promise<ListeningPorts> {
  const output = await site.run(SOCKETS_ARGV, timeoutMs);
  const [tcp = "", udp = ""] = output.stdout.split(UDP_MARK);
  return {
    tcp: portsIn(tcp, TCP_LISTEN),
    udp: portsIn(udp),
    tcpBeyondLoopback: portsIn(tcp, TCP_LISTEN, { loopback: false }),
  };
}
