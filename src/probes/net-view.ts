import { execa } from "execa";
import type { ProbeSite } from "../runtime/site.js";

/** What one network namespace looks like from inside: links, IPv4 addresses, routes. */
export interface Link {
  index: number;
  name: string;
  /** For `eth0@if31`: 31, the index of the other end of a veth pair, in the peer namespace. */
  peerIndex?: number;
  flags: string[];
  master?: string;
  mac?: string;
  /** veth, bridge, … (only where `ip -d` said so). */
  kind?: string;
}

export interface InterfaceAddress {
  interface: string;
  cidr: string;
  address: string;
}

export interface Route {
  destination: string;
  via?: string;
  dev?: string;
  type?: string;
}

export interface NetView {
  links: Link[];
  addresses: InterfaceAddress[];
  routes: Route[];
}

const LINK_KINDS = new Set(["veth", "bridge", "macvlan", "ipvlan", "vxlan", "dummy", "tun", "bond"]);

export function parseLinks(text: string): Link[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .flatMap((line) => {
      const match = /^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>(.*)$/.exec(line);
      if (!match) return [];
      const [, index, name, peer, flags, rest = ""] = match;
      const segments = rest.split(/\\\s+/);
      const kindWord = segments[2]?.trim().split(/\s+/)[0];
      const link: Link = { index: Number(index), name: name ?? "", flags: (flags ?? "").split(",").filter(Boolean) };
      const peerMatch = /^if(\d+)$/.exec(peer ?? "");
      if (peerMatch) link.peerIndex = Number(peerMatch[1]);
      const master = /\bmaster (\S+)/.exec(rest)?.[1];
      if (master) link.master = master;
      const mac = /link\/\w+ ([0-9a-f:]{17})/.exec(rest)?.[1];
      if (mac) link.mac = mac;
      if (kindWord && LINK_KINDS.has(kindWord)) link.kind = kindWord;
      return [link];
    });
}

export function parseAddresses(text: string): InterfaceAddress[] {
  return text.split("\n").flatMap((line) => {
    const match = /^\d+:\s+(\S+)\s+inet\s+((\d+\.\d+\.\d+\.\d+)\/\d+)/.exec(line.trim());
    return match ? [{ interface: match[1] ?? "", cidr: match[2] ?? "", address: match[3] ?? "" }] : [];
  });
}

export function parseRoutes(text: string): Route[] {
  return text.split("\n").flatMap((line) => {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const typed = ["unreachable", "blackhole", "prohibit", "local", "broadcast"].includes(words[0] ?? "");
    const route: Route = { destination: (typed ? words[1] : words[0]) ?? "" };
    if (typed) route.type = words[0];
    const after = (key: string) => {
      const at = words.indexOf(key);
      return at >= 0 ? words[at + 1] : undefined;
    };
    const via = after("via");
    const dev = after("dev");
    if (via) route.via = via;
    if (dev) route.dev = dev;
    return [route];
  });
}

const SEPARATOR = "@@netlab@@";

function parseView(text: string): NetView {
  const [linkText = "", addressText = "", routeText = ""] = text.split(SEPARATOR);
  return { links: parseLinks(linkText), addresses: parseAddresses(addressText), routes: parseRoutes(routeText) };
}

/** One exec: links, addresses and routes of the site's network namespace, seen with its own `ip`. */
export async function observeNetwork(site: ProbeSite, timeoutMs = 5000): Promise<NetView> {
  const script = `ip -o link; echo ${SEPARATOR}; ip -o -4 addr; echo ${SEPARATOR}; ip -4 route`;
  const output = await site.run(["sh", "-c", script], timeoutMs);
  if (output.exitCode !== 0) throw new Error(`observing the network from ${site.name} failed: ${output.stderr.trim()}`);
  return parseView(output.stdout);
}

/** The host's namespace, seen with iproute2 in detail, so link kinds (bridge, veth) are known. */
export async function observeHostNetwork(timeoutMs = 5000): Promise<NetView> {
  const script = `ip -d -o link; echo ${SEPARATOR}; ip -o -4 addr; echo ${SEPARATOR}; ip -4 route`;
  const result = await execa("sh", ["-c", script], { timeout: timeoutMs });
  return parseView(String(result.stdout));
}
