import { join } from "node:path";
import { execa } from "execa";
import { parseFlows, type Flow } from "./ovs-view.js";

/** One entry of `bridge -j fdb show`: on a VXLAN device, `dst` is the remote VTEP frames for `mac` are sent to. */
export interface FdbEntry {
  mac: string;
  dev?: string;
  dst?: string;
  flags: string[];
  state?: string;
}

/** One entry of `ip -j neigh show`. */
export interface NeighbourEntry {
  address: string;
  dev?: string;
  lladdr?: string;
  /** As printed: PERMANENT, REACHABLE, STALE, FAILED… */
  states: string[];
}

/** One route of `ip -j route show` (the main table). */
export interface RouteEntry {
  destination: string;
  gateway?: string;
  dev?: string;
  flags: string[];
}

/** One interface of `ip -j addr show`: its name, operstate, flags and addresses (CIDRs). */
export interface InterfaceEntry {
  name: string;
  /** As printed: UP, DOWN, UNKNOWN (lo, a tun)… */
  operstate: string;
  flags: string[];
  addresses: string[];
}

/** The JSON array an iproute2 `-j` command printed ("" when a table is empty prints nothing on some versions). */
function jsonArray(text: string, command: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const data: unknown = JSON.parse(trimmed);
  if (!Array.isArray(data)) throw new Error(`${command} printed no JSON array: ${trimmed.slice(0, 200)}`);
  return data as Record<string, unknown>[];
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];

/** Reads `bridge -j fdb show` (iproute2 6.1): `{"mac":"6e:…","ifname":"flannel.1","dst":"10.99.0.2","flags":["self"],"state":"permanent"}`. */
export function parseFdb(output: string): FdbEntry[] {
  return jsonArray(output, "bridge -j fdb show").map((entry) => ({
    mac: (text(entry.mac) ?? "").toLowerCase(),
    ...(text(entry.ifname) === undefined ? {} : { dev: text(entry.ifname) }),
    ...(text(entry.dst) === undefined ? {} : { dst: text(entry.dst) }),
    flags: texts(entry.flags),
    ...(text(entry.state) === undefined ? {} : { state: text(entry.state) }),
  }));
}

/** Reads `ip -j neigh show`: `{"dst":"10.244.2.0","dev":"flannel.1","lladdr":"6e:…","state":["PERMANENT"]}`. */
export function parseNeighbours(output: string): NeighbourEntry[] {
  return jsonArray(output, "ip -j neigh show").map((entry) => ({
    address: text(entry.dst) ?? "",
    ...(text(entry.dev) === undefined ? {} : { dev: text(entry.dev) }),
    ...(text(entry.lladdr) === undefined ? {} : { lladdr: text(entry.lladdr)!.toLowerCase() }),
    states: texts(entry.state),
  }));
}

/** Reads `ip -j route show`: `{"dst":"10.244.2.0/24","gateway":"10.244.2.0","dev":"flannel.1","flags":["onlink"]}`. */
export function parseRoutes(output: string): RouteEntry[] {
  return jsonArray(output, "ip -j route show").map((entry) => ({
    destination: text(entry.dst) ?? "",
    ...(text(entry.gateway) === undefined ? {} : { gateway: text(entry.gateway) }),
    ...(text(entry.dev) === undefined ? {} : { dev: text(entry.dev) }),
    flags: texts(entry.flags),
  }));
}

/** Reads `ip -j addr show`: `{"ifname":"docker0","flags":["NO-CARRIER","UP"],"operstate":"DOWN","addr_info":[{"local":"172.17.0.1","prefixlen":16}]}`. */
export function parseInterfaces(output: string): InterfaceEntry[] {
  return jsonArray(output, "ip -j addr show").map((entry) => ({
    name: text(entry.ifname) ?? "",
    operstate: text(entry.operstate) ?? "UNKNOWN",
    flags: texts(entry.flags),
    addresses: (Array.isArray(entry.addr_info) ? (entry.addr_info as Record<string, unknown>[]) : []).flatMap(
      (address) =>
        text(address.local) !== undefined && typeof address.prefixlen === "number"
          ? [`${text(address.local)}/${address.prefixlen}`]
          : [],
    ),
  }));
}

export class TableReadError extends Error {
  override name = "TableReadError";
}

async function run(argv: string[], timeoutMs: number): Promise<string> {
  const result = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: timeoutMs, stdin: "ignore" });
  if (result.exitCode !== 0)
    throw new TableReadError(
      `"${argv.join(" ")}" failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
    );
  return String(result.stdout);
}

/** `ip netns exec NAME` before a command run in a named namespace; nothing for the host's own (namespace undefined). */
function inside(namespace: string | undefined): string[] {
  return namespace === undefined ? [] : ["ip", "netns", "exec", namespace];
}

/** The commands that print a named namespace's tables (or the host's, namespace undefined), as a learner types them. */
export const tableCommands = {
  fdb: (namespace: string) => ["ip", "netns", "exec", namespace, "bridge", "-j", "fdb", "show"],
  neighbours: (namespace: string) => ["ip", "-n", namespace, "-j", "neigh", "show"],
  routes: (namespace: string | undefined) => [
    "ip",
    ...(namespace === undefined ? [] : ["-n", namespace]),
    "-j",
    "route",
    "show",
  ],
  rules: (namespace: string | undefined, table: string, chain: string) => [
    ...inside(namespace),
    "iptables",
    "-w",
    "-t",
    table,
    "-S",
    chain,
  ],
  interfaces: () => ["ip", "-j", "addr", "show"],
};

/** The bridge FDB of a named namespace (every device's). */
export async function readFdb(namespace: string, timeoutMs: number): Promise<FdbEntry[]> {
  return parseFdb(await run(tableCommands.fdb(namespace), timeoutMs));
}

/** The neighbour table of a named namespace. */
export async function readNeighbours(namespace: string, timeoutMs: number): Promise<NeighbourEntry[]> {
  return parseNeighbours(await run(tableCommands.neighbours(namespace), timeoutMs));
}

/** The main routing table of a named namespace, or the host's (namespace undefined). */
export async function readRoutes(namespace: string | undefined, timeoutMs: number): Promise<RouteEntry[]> {
  return parseRoutes(await run(tableCommands.routes(namespace), timeoutMs));
}

/** A chain's lines out of `iptables -S` of its whole table: `-P`/`-N CHAIN` and its `-A CHAIN …` rules; undefined when the table has no such chain. */
export function chainLines(tableDump: string, chain: string): string[] | undefined {
  const lines = tableDump.split("\n").filter((line) => line.split(/\s+/)[1] === chain);
  return lines.some((line) => /^-[NP] /.test(line)) ? lines : undefined;
}

/** The host's own interfaces, with their state and addresses. */
export async function readHostInterfaces(timeoutMs: number): Promise<InterfaceEntry[]> {
  return parseInterfaces(await run(tableCommands.interfaces(), timeoutMs));
}

/**
 * The rules of one chain of a named namespace's iptables (or the host's, namespace undefined), as `-S` prints them; undefined when there is no such
 * chain. The whole table is read: iptables-nft 1.8.9 answers `-S MISSING` with "chain … is incompatible, use
 * 'nft' tool", words that cannot tell a missing chain from an nft-only one.
 */
export async function readChain(
  namespace: string | undefined,
  table: string,
  chain: string,
  timeoutMs: number,
): Promise<string[] | undefined> {
  return chainLines(await run([...inside(namespace), "iptables", "-w", "-t", table, "-S"], timeoutMs), chain);
}

/** Where the system's Open vSwitch keeps its sockets (Debian): a switch without a directory of its own. */
export const SYSTEM_OVS_RUNDIR = "/var/run/openvswitch";

/** `ovs-ofctl dump-flows` against a bridge's OpenFlow management socket, `DIR/BRIDGE.mgmt`. */
export function dumpFlowsCommand(bridge: string, switchDir = SYSTEM_OVS_RUNDIR): string[] {
  return ["ovs-ofctl", "dump-flows", `unix:${join(switchDir, `${bridge}.mgmt`)}`];
}

/** The flows of one bridge of a switch (its run directory holds the bridge's management socket). */
export async function readFlows(bridge: string, switchDir: string | undefined, timeoutMs: number): Promise<Flow[]> {
  return parseFlows(await run(dumpFlowsCommand(bridge, switchDir), timeoutMs));
}
