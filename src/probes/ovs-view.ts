import type { OvsLab } from "../runtime/ovs-lab.js";
import type { ProbeSite } from "../runtime/site.js";
import { observeNetwork } from "./net-view.js";
import { ping } from "./ping.js";

/** One OpenFlow flow as `ovs-ofctl dump-flows` prints it. */
export interface Flow {
  priority: number;
  /** The match, as printed (`icmp,nw_dst=10.215.0.12`; "" matches everything). */
  match: string;
  actions: string;
  packets: number;
  line: string;
}

/**
 * Reads `ovs-ofctl dump-flows`: ` cookie=0x0, duration=1.2s, table=0, n_packets=3, n_bytes=294, priority=100,icmp,nw_dst=10.215.0.12 actions=drop`.
 * A flow printed without priority has the default, 32768.
 */
export function parseFlows(text: string): Flow[] {
  return text.split("\n").flatMap((raw) => {
    const line = raw.trim();
    const at = line.indexOf(" actions=");
    if (!line.startsWith("cookie=") || at < 0) return [];
    const fields = line.slice(0, at).split(/,\s*/);
    const packets = Number(/(?:^|,\s*)n_packets=(\d+)/.exec(line)?.[1] ?? NaN);
    // After the statistics comes the match: priority first when it is not the default.
    const statistic =
      /^(cookie|duration|table|n_packets|n_bytes|idle_age|hard_age|idle_timeout|hard_timeout|reset_counts)=/;
    const match = fields.filter((field) => field !== "" && !statistic.test(field));
    const priority = Number(/^priority=(\d+)$/.exec(match[0] ?? "")?.[1] ?? 32768);
    return [
      {
        priority,
        match: match.filter((field) => !field.startsWith("priority=")).join(","),
        actions: line.slice(at + " actions=".length),
        packets,
        line,
      },
    ];
  });
}

/** `Tcp: … InCsumErrors` of /proc/net/snmp: TCP segments the namespace's kernel dropped for a bad checksum. */
export function parseTcpChecksumErrors(snmp: string): number | undefined {
  const lines = snmp.split("\n").filter((line) => line.startsWith("Tcp:"));
  const [names, values] = [lines[0]?.split(/\s+/) ?? [], lines[1]?.split(/\s+/) ?? []];
  const at = names.indexOf("InCsumErrors");
  const value = at >= 0 ? Number(values[at]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** How many TCP segments `site`'s kernel has dropped for a bad checksum (its /proc/net/snmp, per namespace). */
export async function tcpChecksumErrors(site: ProbeSite, timeoutMs: number): Promise<number> {
  const output = await site.run(["cat", "/proc/net/snmp"], timeoutMs);
  const count = parseTcpChecksumErrors(output.stdout);
  if (count === undefined)
    throw new Error(`no Tcp InCsumErrors in /proc/net/snmp of ${site.name}: ${output.stderr.trim()}`);
  return count;
}

/**
 * What the report's picture needs of an Open vSwitch lab, in the shape other labs note: each pod as a
 * "container" (its namespace, interfaces and addresses, its node and bridge), each node's bridge as a network
 * (driver openvswitch, userspace datapath), and under `host` the nodes (their interfaces, bridges and ports,
 * the switches' pids), the underlay and the tunnels.
 */
export async function observeOvsLab(
  lab: OvsLab,
  options: { subnet: string; underlay?: string; tunnels?: Array<Record<string, unknown>> },
  timeoutMs: number,
): Promise<{
  containers: Record<string, Record<string, unknown>>;
  networks: Record<string, Record<string, unknown>>;
  host: Record<string, unknown>;
}> {
  const containers: Record<string, Record<string, unknown>> = {};
  const networks: Record<string, Record<string, unknown>> = {};
  for (const pod of lab.pods.values()) {
    const view = await observeNetwork(lab.site(pod.tag), timeoutMs).catch(() => undefined);
    const network = `${pod.bridge}@${pod.node}`;
    containers[pod.namespace] = {
      role: `pod ${pod.tag} (node ${pod.node})`,
      node: pod.node,
      netns: (await lab.site(pod.tag).run(["readlink", "/proc/self/ns/net"], timeoutMs)).stdout.trim() || undefined,
      network,
      address: pod.address,
      ...(view ? { links: view.links, addresses: view.addresses, routes: view.routes } : {}),
    };
    networks[network] = {
      role: `${pod.bridge} on node ${pod.node}`,
      driver: "openvswitch",
      datapath: "netdev",
      subnet: options.subnet,
      bridge: pod.bridge,
      node: pod.node,
    };
  }
  const nodes = [];
  for (const node of lab.nodes.values()) {
    const view = await observeNetwork(lab.site(node.tag), timeoutMs).catch(() => undefined);
    const bridges: Record<string, string[]> = {};
    for (const bridge of (await node.switch.vsctl("list-br")).split("\n").filter(Boolean))
      bridges[bridge] = (await node.switch.vsctl("list-ports", bridge)).split("\n").filter(Boolean);
    nodes.push({
      name: node.tag,
      namespace: node.namespace,
      underlayAddress: node.underlayAddress || undefined,
      // The node's own interfaces: the pods' veth peers (eth0@ifN names one of these), ul0, the bridges' taps.
      ...(view ? { links: view.links, addresses: view.addresses } : {}),
      bridges,
      switchDir: node.switch.dir,
      pids: await node.switch.pids(),
    });
  }
  return {
    containers,
    networks,
    host: {
      nodes,
      ...(options.underlay ? { underlay: options.underlay, underlayNamespace: lab.namespace("u") } : {}),
      tunnels: options.tunnels ?? [],
    },
  };
}

/**
 * The userspace datapath resolves a tunnel's next hop with its own ARP table, filled from what crosses br-phy:
 * each node pings every other once on the underlay, so the pods' first packet does not wait on (and lose to)
 * that lookup. Throws, naming the pair, when a node cannot reach another at all.
 */
export async function primeTunnelArp(
  ovs: OvsLab,
  nodes: ReadonlyArray<{ tag: string; underlayAddress: string }>,
  timeoutMs: number,
): Promise<void> {
  for (const from of nodes)
    for (const to of nodes) {
      if (to === from) continue;
      const primed = await ping(ovs.site(from.tag), timeoutMs).once(to.underlayAddress, 84, 1);
      if (primed.outcome !== "replied")
        throw new Error(`node ${from.tag} cannot reach ${to.tag} on the underlay: ${primed.detail}`);
    }
}
