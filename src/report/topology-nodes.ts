import { z } from "zod";
import { contains } from "../core/cidr.js";
import type { LabRecord } from "../core/facts-schema.js";
import {
  addressesOf,
  labView,
  type ContainerView,
  type LabView,
  type NetworkView,
  type ViewAddress,
  type ViewLink,
} from "./lab-view.js";
import type { TopologyGraph } from "./topology-graph.js";
import { drawProbes } from "./topology-probes.js";
import { COLORS, isBridge, linkLabel } from "./topology-style.js";

type NodeLab = Pick<LabRecord, "lab" | "containers" | "host" | "networks"> & Partial<Pick<LabRecord, "checks">>;

const NODE_COLORS = { style: "rounded,filled", fillcolor: "#f2f2f2", color: "#666666" };
const UNDERLAY_COLORS = { style: "rounded,filled", fillcolor: "#eef6ea", color: "#548235" };
const TUNNEL = { color: "#7b3fa0", fontcolor: "#7b3fa0", penwidth: "2", style: "bold" };
/** Docker's overlay sends VXLAN on this UDP port unless the swarm was given another (netlab's nodes are not). */
const DOCKER_VXLAN_PORT = 4789;

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const peersSchema = z.record(z.string(), z.number());
const hostNodeSchema = z.object({
  name: z.string(),
  hostname: z.string().optional(),
  namespace: z.string().optional(),
  underlayAddress: z.string().optional(),
  socket: z.string().optional(),
  bridges: z.record(z.string(), z.array(z.string())).optional(),
});
const tunnelSchema = z.object({
  from: z.string(),
  to: z.string(),
  port: z.string().optional(),
  type: z.string().optional(),
  key: z.union([z.number(), z.string()]).optional(),
  udpPort: z.number().optional(),
});
const outsideSchema = z.object({ address: z.string(), tcpPort: z.number().optional() });
const serviceSchema = z.object({ name: z.string(), clusterIp: z.string(), port: z.number().optional() });

function listOf<T>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** A container or pod on a node, with the index of each interface's other end (`eth0@if7`, or the lab's `peers`). */
interface Member {
  view: ContainerView;
  peerOf: (link: ViewLink) => number | undefined;
}

/** One machine of a lab that runs on several: a node engine's or a node's own network namespace, and what runs on it. */
interface LabNode {
  id: string;
  title: string;
  netns?: string;
  underlayAddress?: string;
  links: ViewLink[];
  addresses: ViewAddress[];
  /** Open vSwitch bridges and their ports, where the node runs a switch. */
  bridges: Map<string, string[]>;
  members: Member[];
  /** The names a probe from the node itself runs as (the lab's record of the node's namespace). */
  names: string[];
}

/**
 * The lab's nodes, or undefined when it runs on the host alone. A lab runs on nodes when it lists them
 * (`host.nodes`: the overlay's engines, the switches' namespaces), records a node's own namespace as a
 * container of `kind: "node"` (flannel, pods), or says which node a container is on (`node`).
 */
function labNodes(lab: NodeLab, view: LabView): LabNode[] | undefined {
  const listed = listOf(hostNodeSchema, lab.host.nodes);
  const raw = new Map(Object.entries(lab.containers));
  if (listed.length === 0 && ![...raw.values()].some((facts) => text(facts.node) || facts.kind === "node"))
    return undefined;
  const nodes = new Map<string, LabNode>();
  const byAlias = new Map<string, LabNode>();
  const add = (node: LabNode, aliases: Array<string | undefined>) => {
    nodes.set(node.id, node);
    for (const alias of aliases) if (alias) byAlias.set(alias, node);
  };
  // The listed nodes' interfaces are read as a container's are: the same shapes, the same leniency.
  const seen = new Map(
    labView({
      lab: lab.lab,
      containers: Object.fromEntries(
        (Array.isArray(lab.host.nodes) ? lab.host.nodes : []).flatMap((facts: Record<string, unknown>) =>
          text(facts?.name) ? [[facts.name as string, facts]] : [],
        ),
      ),
      host: {},
    }).containers.map((container) => [container.name, container]),
  );
  for (const facts of listed) {
    const own = seen.get(facts.name);
    add(
      {
        id: facts.name,
        title: `${facts.hostname ?? `node ${facts.name}`}${facts.socket ? " (its own dockerd)" : ""}`,
        netns: facts.namespace ?? facts.name,
        underlayAddress: facts.underlayAddress,
        links: own?.links ?? [],
        addresses: own?.addresses ?? [],
        bridges: new Map(Object.entries(facts.bridges ?? {})),
        members: [],
        names: [],
      },
      [facts.name, facts.hostname],
    );
  }
  const loose: Member[] = [];
  const members: Array<[string, Member]> = [];
  for (const container of view.containers) {
    const facts = raw.get(container.name) ?? {};
    const at = text(facts.node);
    if (facts.kind === "node") {
      const id = at ?? container.name;
      const known = byAlias.get(id);
      if (known) {
        known.names.push(container.name);
        continue;
      }
      add(
        {
          id,
          title: container.label,
          netns: container.netns,
          underlayAddress: container.address,
          links: container.links,
          addresses: container.addresses,
          bridges: new Map(),
          members: [],
          names: [container.name],
        },
        [id, container.name],
      );
      continue;
    }
    const peers = peersSchema.safeParse(facts.peers);
    const member: Member = {
      view: container,
      peerOf: (link) => link.peerIndex ?? (peers.success ? peers.data[link.name] : undefined),
    };
    if (at) members.push([at, member]);
    else loose.push(member);
  }
  for (const [at, member] of members) {
    const node = byAlias.get(at);
    if (node) node.members.push(member);
    else loose.push(member);
  }
  const all = [...nodes.values()].sort((a, b) => a.title.localeCompare(b.title, "en", { numeric: true }));
  if (loose.length > 0)
    all.push({
      id: "",
      title: "node not recorded",
      links: [],
      addresses: [],
      bridges: new Map(),
      members: loose,
      names: [],
    });
  return all;
}

/** Where an interface whose other end the lab did not see on its node leads, by what it is on. */
function attachmentOf(
  member: Member,
  link: ViewLink,
  view: LabView,
): NetworkView | "docker0" | "docker_gwbridge" | undefined {
  const mine = member.view.addresses.filter((address) => address.interface === link.name);
  const network = view.networks.find(
    (candidate) => candidate.subnet && mine.some((address) => contains(candidate.subnet as string, address.address)),
  );
  if (network) return network;
  if (member.view.network === "bridge") return "docker0";
  const onOverlay = member.view.networks.some(
    (name) => view.networks.find((candidate) => candidate.name === name)?.driver === "overlay",
  );
  return onOverlay ? "docker_gwbridge" : undefined;
}

function attachmentLabel(attachment: NetworkView | "docker0" | "docker_gwbridge"): string {
  if (attachment === "docker0") return "docker0 (bridge)\nthe node engine's default bridge";
  if (attachment === "docker_gwbridge")
    return "docker_gwbridge (bridge)\noverlay members' second interface:\ntheir way out, NAT by the node";
  const addressing = [attachment.subnet, attachment.gateway ? `gateway ${attachment.gateway}` : ""]
    .filter(Boolean)
    .join(", ");
  if (attachment.driver === "overlay")
    return [
      `overlay ${attachment.label}`,
      addressing,
      `its bridge and VXLAN${attachment.vxlanId ? ` (VNI ${attachment.vxlanId})` : ""}`,
      "in the engine's namespace for it",
      attachment.internal ? "internal: no way out" : "",
    ]
      .filter(Boolean)
      .join("\n");
  return [`${attachment.driver} ${attachment.label}`, addressing].filter(Boolean).join("\n");
}

/** A tunnel between two nodes: its two ends as drawn, and what it carries. */
interface Tunnel {
  ends: [string, string];
  label: string;
}

/** What a node's box drew that edges between boxes and probes use. */
interface DrawnNode {
  /** Where the underlay reaches it: the interface with its underlay address, or that bridge's uplink port. */
  underlayEnd?: string;
  /** Interfaces and ports by name. */
  byName: Map<string, string>;
  /** Per-node ends of the lab's networks (an overlay's bridge in the engine's namespace, docker0, docker_gwbridge). */
  attachments: Map<string, string>;
  /** Each address seen on the node (its own interfaces, its members') and what it is on. */
  addresses: Array<[string, string]>;
}

/**
 * One node's box: its members (containers, pods) as boxes inside it with their interfaces and addresses, its
 * own interfaces, bridges and ports, the node's end of each network its members are on. veth ends are joined
 * by index only within the node: two pods on different nodes may both say eth0@if6.
 */
function drawNode(
  dot: TopologyGraph,
  node: LabNode,
  at: number,
  view: LabView,
  tunnelPorts: Set<string>,
  anchors: Map<string, string>,
): DrawnNode {
  const drawn: DrawnNode = { byName: new Map(), attachments: new Map(), addresses: [] };
  const byIndex = new Map(node.links.map((link) => [link.index, link]));
  const masters = new Set(node.links.flatMap((link) => (link.master ? [link.master] : [])));
  const bridgeLike = (link: ViewLink) => isBridge(link) || masters.has(link.name) || node.bridges.has(link.name);
  const edges: Array<[string, string, Record<string, string>]> = [];
  const label = [
    node.title,
    `netns ${node.netns ?? "(not observed)"}`,
    node.underlayAddress ? `underlay ${node.underlayAddress}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  dot.cluster(`node${at}`, { label, ...NODE_COLORS }, () => {
    for (const link of node.links) {
      if (link.name === "lo") continue;
      const id = dot.node({ label: linkLabel(link, node.addresses), ...(bridgeLike(link) ? COLORS.bridge : {}) });
      drawn.byName.set(link.name, id);
    }
    for (const [bridge, ports] of node.bridges) {
      for (const port of ports) {
        if (!drawn.byName.has(port))
          drawn.byName.set(
            port,
            dot.node({
              label: `${port}\n${tunnelPorts.has(`${node.id}\u0000${port}`) ? "tunnel port" : "port"} of ${bridge} (Open vSwitch)`,
            }),
          );
        const from = drawn.byName.get(port) as string;
        const to = drawn.byName.get(bridge);
        if (to) edges.push([from, to, { label: "port of", style: "dashed" }]);
      }
    }
    for (const link of node.links) {
      const from = drawn.byName.get(link.name);
      const to = link.master ? drawn.byName.get(link.master) : undefined;
      if (from && to) edges.push([from, to, { label: "port of", style: "dashed" }]);
    }
    for (const address of node.addresses)
      if (address.interface !== "lo" && drawn.byName.has(address.interface))
        drawn.addresses.push([address.address, drawn.byName.get(address.interface) as string]);

    if (node.underlayAddress) {
      const holder = node.addresses.find((address) => address.address === node.underlayAddress)?.interface;
      const uplink = holder
        ? node.bridges.get(holder)?.find((port) => node.links.some((link) => link.name === port))
        : undefined;
      drawn.underlayEnd = drawn.byName.get(uplink ?? holder ?? "");
      if (!drawn.underlayEnd) {
        drawn.underlayEnd = dot.node({ label: `underlay address\n${node.underlayAddress}` });
        drawn.addresses.push([node.underlayAddress, drawn.underlayEnd]);
      }
    }

    const unseen = new Map<number, string>();
    node.members.forEach((member, index) => {
      const container = member.view;
      const about = container.address ? ` (${container.address})` : "";
      const ends: Array<{ link: ViewLink; id: string }> = [];
      dot.cluster(
        `node${at}m${index}`,
        { label: `${container.label}${about}\nnetns ${container.netns ?? "(not observed)"}`, ...COLORS.namespace },
        () => {
          for (const link of container.links) {
            if (link.name === "lo") continue;
            const peerIndex = member.peerOf(link);
            const id = dot.node({ label: linkLabel({ ...link, peerIndex }, container.addresses) });
            ends.push({ link: { ...link, peerIndex }, id });
          }
          if (ends.length === 0) {
            const what = container.links.length > 0 ? "no interface but lo" : "interfaces not observed";
            anchors.set(container.name, dot.node({ label: what, style: "rounded,dashed" }));
          } else anchors.set(container.name, (ends[0] as { id: string }).id);
        },
      );
      const anchor = anchors.get(container.name) as string;
      for (const address of addressesOf(container)) drawn.addresses.push([address, anchor]);
      for (const { link, id } of ends) {
        const index = link.peerIndex;
        if (index === undefined) continue;
        const peer = byIndex.get(index);
        const peerNode = peer ? drawn.byName.get(peer.name) : undefined;
        if (peer && peerNode) {
          edges.push([id, peerNode, { label: "veth pair", color: "#4a78b0", penwidth: "2" }]);
          continue;
        }
        const attachment = attachmentOf(member, link, view);
        const key = typeof attachment === "string" ? attachment : attachment?.name;
        if (attachment && key) {
          let target = drawn.attachments.get(key);
          if (!target) {
            const internal = typeof attachment !== "string" && attachment.internal;
            target = dot.node({
              label: attachmentLabel(attachment),
              ...(internal ? { ...COLORS.bridge, fillcolor: "#fde9e7", color: "#b0504a" } : COLORS.bridge),
            });
            drawn.attachments.set(key, target);
          }
          edges.push([id, target, { label: `${link.name}@if${index}`, color: "#4a78b0", style: "dashed" }]);
          continue;
        }
        let target = unseen.get(index);
        if (!target) {
          target = dot.node({ label: `#${index}\n(not observed on ${node.title})`, style: "rounded,dashed" });
          unseen.set(index, target);
        }
        edges.push([id, target, { label: `${link.name}@if${index}`, color: "#4a78b0", style: "dashed" }]);
      }
    });
  });
  for (const [from, to, values] of edges) dot.edge(from, to, values);
  for (const name of node.names) if (drawn.underlayEnd) anchors.set(name, drawn.underlayEnd);
  return drawn;
}

/** Every tunnel the lab recorded, one edge per pair of nodes and kind of traffic. */
function tunnelsOf(lab: NodeLab, view: LabView, nodes: LabNode[], drawn: Map<string, DrawnNode>): Tunnel[] {
  const tunnels: Tunnel[] = [];
  const mesh = (ends: string[], label: string) => {
    for (let a = 0; a < ends.length; a++)
      for (let b = a + 1; b < ends.length; b++) tunnels.push({ ends: [ends[a] as string, ends[b] as string], label });
  };
  for (const network of view.networks) {
    const facts = lab.networks?.[network.name] ?? {};
    const vni = network.vxlanId ? ` VNI ${network.vxlanId}` : "";
    if (network.driver === "overlay") {
      const ends = nodes.flatMap((node) => drawn.get(node.id)?.attachments.get(network.name) ?? []);
      const encrypted = facts.encrypted === true ? ", encrypted (ESP)" : "";
      mesh(ends, `VXLAN${vni}, udp/${DOCKER_VXLAN_PORT}${encrypted}\n${network.label}`);
    }
    if (network.driver === "vxlan") {
      // A VXLAN device per node named after the network (flannel.1): its VTEPs.
      const ends = nodes.flatMap((node) => drawn.get(node.id)?.byName.get(network.name) ?? []);
      const port = typeof facts.udpPort === "number" ? `, udp/${facts.udpPort}` : "";
      mesh(ends, `VXLAN${vni}${port}\n${network.name}`);
    }
  }
  const pairs = new Set<string>();
  for (const tunnel of listOf(tunnelSchema, lab.host.tunnels)) {
    const from = drawn.get(tunnel.from)?.byName.get(tunnel.port ?? "");
    const to = drawn.get(tunnel.to)?.byName.get(tunnel.port ?? "");
    const label = [
      tunnel.type ?? "tunnel",
      tunnel.key !== undefined ? `key ${tunnel.key}` : "",
      tunnel.udpPort ? `udp/${tunnel.udpPort}` : "",
    ]
      .filter(Boolean)
      .join(", ")
      .replace(/^(\S+), /, "$1 ");
    const key = [[tunnel.from, tunnel.to].sort().join("\u0000"), label].join("\u0000");
    if (!from || !to || pairs.has(key)) continue;
    pairs.add(key);
    tunnels.push({ ends: [from, to], label: `${label}\n${tunnel.port}` });
  }
  return tunnels;
}

/**
 * A lab that runs on nodes (node engines, or nodes' network namespaces): a box per node with its containers or
 * pods inside, each node's bridges (cni0, br-int, docker0, an overlay's), the underlay as a network joining the
 * nodes at their underlay addresses, the tunnels between nodes labelled with what they carry, a Service's
 * ClusterIP where the lab made one, and the probes coloured by outcome. Returns false for a lab on the host
 * alone, drawing nothing.
 */
export function drawNodeLab(dot: TopologyGraph, lab: NodeLab): boolean {
  const view = labView(lab);
  const nodes = labNodes(lab, view);
  if (!nodes) return false;
  const tunnelPorts = new Set(
    listOf(tunnelSchema, lab.host.tunnels).flatMap((tunnel) => [
      `${tunnel.from}\u0000${tunnel.port}`,
      `${tunnel.to}\u0000${tunnel.port}`,
    ]),
  );
  const anchors = new Map<string, string>();
  const drawn = new Map(nodes.map((node, at) => [node.id, drawNode(dot, node, at, view, tunnelPorts, anchors)]));
  const addresses: Array<[string, string]> = [...drawn.values()].flatMap((node) => node.addresses);

  const underlay = view.networks.find((network) => network.name === "underlay" || network.label === "underlay");
  const subnet = text(lab.host.underlay) ?? underlay?.subnet;
  const ends = nodes.flatMap((node) => drawn.get(node.id)?.underlayEnd ?? []);
  if (subnet || ends.length > 0) {
    const outside = outsideSchema.safeParse(lab.host.outside);
    const namespace = text(lab.host.underlayNamespace);
    const wire = dot.cluster(
      "underlay",
      { label: `underlay${namespace ? `\nnetns ${namespace}` : ""}`, ...UNDERLAY_COLORS },
      () => {
        const bridge = dot.node({ label: `underlay (bridge)\n${subnet ?? ""}`.trim(), ...COLORS.bridge });
        if (outside.success) {
          const host = dot.node({
            label: [`outside host ${outside.data.address}`, outside.data.tcpPort ? `tcp :${outside.data.tcpPort}` : ""]
              .filter(Boolean)
              .join("\n"),
            fillcolor: "#fde9e7",
            color: "#b0504a",
          });
          dot.edge(host, bridge, { label: "on the underlay", style: "dashed" });
          addresses.push([outside.data.address, host]);
        }
        return bridge;
      },
    );
    for (const end of ends) dot.edge(end, wire, { label: "underlay", color: "#548235", penwidth: "2" });
  }
  for (const tunnel of tunnelsOf(lab, view, nodes, drawn))
    dot.edge(tunnel.ends[0], tunnel.ends[1], { label: tunnel.label, ...TUNNEL, constraint: "false" });
  for (const service of listOf(serviceSchema, lab.host.services)) {
    const node = dot.node({
      label: `Service ${service.name}\nClusterIP ${service.clusterIp}${service.port ? `:${service.port}` : ""}\nno interface holds it: each node's NAT rules`,
      shape: "box",
      style: "rounded,filled,dashed",
      fillcolor: "#e2f0d9",
      color: "#548235",
    });
    addresses.push([service.clusterIp, node]);
  }

  // An address seen in two places (each overlay member's eth1 on its own node's docker_gwbridge) names neither.
  const byAddress = new Map<string, string | undefined>();
  for (const [address, node] of addresses)
    byAddress.set(address, byAddress.has(address) && byAddress.get(address) !== node ? undefined : node);
  // Probes name a pod by its tag where the lab keys it by namespace (`nlo-…-a` runs as `a`).
  const tails = new Map<string, string | undefined>();
  for (const [name, anchor] of anchors) {
    const tail = /-([^-\s]+)$/.exec(name)?.[1];
    if (tail) tails.set(tail, tails.has(tail) ? undefined : anchor);
  }
  drawProbes(dot, lab.checks ?? [], {
    from: (name) => anchors.get(name) ?? tails.get(name),
    to: (_origin, target) => byAddress.get(target.split(/:(?=\d+$)/)[0] ?? ""),
  });
  return true;
}
