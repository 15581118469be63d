import { DotGraph } from "./dot.js";
import type { LabRecord } from "../core/facts-schema.js";
import { labView, type ContainerView, type LabView, type ViewAddress, type ViewLink } from "./lab-view.js";

/** What the picture needs of the run besides the lab's own facts: the sentinel and the default bridge. */
export interface TopologyContext {
  sentinel?: { namespace?: string; hostInterface?: string; hostAddress?: string; address?: string; link?: string; tcpPort?: number; dnsName?: string };
  bridge?: { name?: string; subnet?: string; gateway?: string };
}

export function topologyContext(run: { sentinel: Record<string, unknown>; engine: Record<string, unknown> }): TopologyContext {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const bridge = (run.engine.bridge ?? {}) as Record<string, unknown>;
  const sentinel = run.sentinel;
  return {
    sentinel: {
      namespace: text(sentinel.namespace),
      hostInterface: text(sentinel.hostInterface),
      hostAddress: text(sentinel.hostAddress),
      address: text(sentinel.address),
      link: text(sentinel.link),
      tcpPort: typeof sentinel.tcpPort === "number" ? sentinel.tcpPort : undefined,
      dnsName: text(sentinel.dnsName),
    },
    bridge: { name: text(bridge.name), subnet: text(bridge.subnet), gateway: text(bridge.gateway) },
  };
}

const COLORS = {
  namespace: { style: "rounded,filled", fillcolor: "#e8f1fb", color: "#4a78b0" },
  host: { style: "rounded,filled", fillcolor: "#f2f2f2", color: "#666666" },
  sentinel: { style: "rounded,filled", fillcolor: "#fde9e7", color: "#b0504a" },
  bridge: { shape: "box", style: "filled", fillcolor: "#fff2cc" },
};

function linkLabel(link: ViewLink, addresses: ViewAddress[]): string {
  const peer = link.peerIndex !== undefined ? `@if${link.peerIndex}` : "";
  const kind = link.kind ? ` (${link.kind})` : "";
  const cidrs = addresses.filter((address) => address.interface === link.name).map((address) => address.cidr);
  return [`${link.name}${peer}  #${link.index}${kind}`, ...cidrs].join("\n");
}

const isBridge = (link: ViewLink, bridgeName?: string) => link.kind === "bridge" || link.name === bridgeName || /^(docker\d+|br-[0-9a-f]+)$/.test(link.name);

interface Namespace {
  netns?: string;
  containers: ContainerView[];
}

/** An interface inside a namespace that names another by index (eth0@if41), and where it was drawn. */
interface LinkEnd {
  node: string;
  link: ViewLink & { peerIndex: number };
  containers: ContainerView[];
}

/** Containers grouped by the network namespace they are in; those in the host's are returned apart. */
function namespaces(containers: ContainerView[], hostNetns?: string): { own: Namespace[]; inHost: ContainerView[] } {
  const byId = new Map(containers.flatMap((container) => (container.id ? [[container.id, container] as const] : [])));
  const keyOf = (container: ContainerView, depth = 0): string => {
    if (container.network === "host") return "host";
    if (container.netns) return container.netns;
    const joined = /^container:(.+)$/.exec(container.network ?? "")?.[1];
    const target = joined ? (byId.get(joined) ?? containers.find((other) => other.name === joined)) : undefined;
    if (target && target !== container && depth < 5) return keyOf(target, depth + 1);
    return `own:${container.name}`;
  };
  const own = new Map<string, Namespace>();
  const inHost: ContainerView[] = [];
  for (const container of containers) {
    const key = keyOf(container);
    if (key === "host" || (hostNetns !== undefined && key === hostNetns)) {
      inHost.push(container);
      continue;
    }
    const group = own.get(key) ?? { netns: container.netns, containers: [] };
    group.containers.push(container);
    own.set(key, group);
  }
  return { own: [...own.values()], inHost };
}

/**
 * A host-network container sees the host's own namespace: where the lab noted nothing of the host itself,
 * what that container saw is what the host has.
 */
function hostSeenFromInside(view: LabView): LabView {
  const inside = view.containers.filter((container) => container.network === "host");
  const netns = view.host.netns ?? inside.find((container) => container.netns)?.netns;
  const links = view.host.links.length > 0 ? view.host.links : (inside.find((container) => container.links.length > 0)?.links ?? []);
  const addresses = view.host.addresses.length > 0 ? view.host.addresses : (inside.find((container) => container.addresses.length > 0)?.addresses ?? []);
  return { ...view, host: { netns, links, addresses } };
}

/** Each namespace of its own as a box with its interfaces; returns the interfaces that name a peer. */
function drawNamespaces(dot: DotGraph, own: Namespace[]): LinkEnd[] {
  const ends: LinkEnd[] = [];
  own.forEach((namespace, index) => {
    const names = namespace.containers.map((container) => {
      const about = [container.network?.replace(/^container:([0-9a-f]{12})[0-9a-f]*$/, "container:$1"), container.address].filter(Boolean).join(", ");
      return about ? `${container.label} (${about})` : container.label;
    });
    dot.cluster(`ns${index}`, { label: `${names.join("\n")}\nnetns ${namespace.netns ?? "(not observed)"}`, ...COLORS.namespace }, () => {
      const withLinks = namespace.containers.find((container) => container.links.length > 0);
      const all = namespace.containers.flatMap((container) => container.addresses);
      const addresses = [...new Map(all.map((address) => [`${address.interface} ${address.cidr}`, address])).values()];
      if (!withLinks) {
        const known = namespace.containers.flatMap((container) => (container.address ? [container.address] : []));
        dot.node({ label: known.length ? `interfaces not observed\naddress ${known.join(", ")}` : "interfaces not observed", style: "rounded,dashed" });
        return;
      }
      for (const link of withLinks.links) {
        const node = dot.node({ label: linkLabel(link, addresses), fillcolor: link.name === "lo" ? "#f4f4f4" : "white" });
        if (link.peerIndex !== undefined) ends.push({ node, link: { ...link, peerIndex: link.peerIndex }, containers: namespace.containers });
      }
    });
  });
  return ends;
}

/**
 * The host's box: the bridges this lab's containers hang off (other labs' may be there at the same time),
 * the host ends of its interfaces, host-network containers, and the host end of the sentinel's link.
 * eth0@ifN names the other end of a veth pair or the parent of a macvlan: only an observed veth, or a host
 * end that points back, makes a "veth pair"; otherwise the edge says what was seen.
 */
function drawHost(dot: DotGraph, view: LabView, context: TopologyContext, ends: LinkEnd[], inHost: ContainerView[]): string | undefined {
  const bridgeName = context.bridge?.name;
  const hostBridges = view.host.links.filter((link) => isBridge(link, bridgeName));
  const hostPorts = view.host.links.filter((link) => !isBridge(link, bridgeName));
  const peerOf = (end: LinkEnd) => hostPorts.find((link) => link.index === end.link.peerIndex && (link.peerIndex === undefined || link.peerIndex === end.link.index));
  const onDefaultBridge = view.containers.some((container) => container.network === "bridge");
  const used = new Set(ends.flatMap((end) => peerOf(end)?.master ?? []));
  if (onDefaultBridge && bridgeName) used.add(bridgeName);

  return dot.cluster("host", { label: `host\nnetns ${view.host.netns ?? "(not observed)"}`, ...COLORS.host }, () => {
    const bridges = new Map<string, string>();
    for (const link of hostBridges.filter((bridge) => used.has(bridge.name))) {
      const cidrs = view.host.addresses.filter((address) => address.interface === link.name).map((address) => address.cidr);
      const engine = link.name === bridgeName && context.bridge?.gateway ? [`gateway ${context.bridge.gateway}`, context.bridge.subnet ?? ""] : [];
      bridges.set(link.name, dot.node({ label: [`${link.name}  #${link.index} (bridge)`, ...(cidrs.length ? cidrs : engine)].filter(Boolean).join("\n"), ...COLORS.bridge }));
    }
    if (onDefaultBridge && bridgeName && !bridges.has(bridgeName)) {
      const { gateway, subnet } = context.bridge ?? {};
      const label = [`${bridgeName} (bridge)`, gateway ? `gateway ${gateway}` : "", subnet ?? "", "as the engine reports it"].filter(Boolean).join("\n");
      bridges.set(bridgeName, dot.node({ label, ...COLORS.bridge }));
    }

    const drawn = new Set<number>();
    const unseen = new Map<number, string>();
    for (const end of ends) {
      const index = end.link.peerIndex;
      const peer = peerOf(end);
      if (peer) {
        drawn.add(peer.index);
        const node = dot.node({ label: linkLabel(peer, view.host.addresses) });
        const pair = peer.kind === "veth" || peer.peerIndex === end.link.index;
        dot.edge(end.node, node, { label: pair ? "veth pair" : `${end.link.name}@if${index}`, color: "#4a78b0", penwidth: "2" });
        const bridge = peer.master ? bridges.get(peer.master) : undefined;
        if (bridge) dot.edge(node, bridge, { label: "port of", style: "dashed" });
        continue;
      }
      let node = unseen.get(index);
      if (!node) {
        node = dot.node({ label: `#${index}\n(not observed on the host)`, style: "rounded,dashed" });
        unseen.set(index, node);
        const engineBridge = bridgeName ? bridges.get(bridgeName) : undefined;
        if (engineBridge && end.containers.some((container) => container.network === "bridge")) {
          dot.edge(node, engineBridge, { label: "network bridge (engine)", style: "dotted" });
        }
      }
      dot.edge(end.node, node, { label: `${end.link.name}@if${index}`, color: "#4a78b0", style: "dashed" });
    }

    const otherPorts = hostPorts.filter((link) => !drawn.has(link.index) && link.master && bridges.has(link.master));
    const otherBridges = hostBridges.filter((bridge) => !bridges.has(bridge.name));
    const notes = [otherPorts.length ? `${otherPorts.length} more port(s) on these bridges` : "", otherBridges.length ? `${otherBridges.length} other bridge(s)` : ""];
    if (notes.some(Boolean)) dot.node({ label: `${notes.filter(Boolean).join("\n")}\nnot this lab's`, shape: "plaintext", style: "" });
    for (const container of inHost) {
      dot.node({ label: `container ${container.label}\n(the host's network namespace)`, shape: "component", fillcolor: "#e8f1fb" });
    }

    const sentinel = context.sentinel;
    if (!sentinel?.address) return undefined;
    const prefix = sentinel.link?.split("/")[1];
    const seen = view.host.links.find((link) => link.name === sentinel.hostInterface);
    const name = seen ? `${seen.name}${seen.peerIndex !== undefined ? `@if${seen.peerIndex}` : ""}  #${seen.index}` : (sentinel.hostInterface ?? "sentinel link");
    return dot.node({ label: [name, sentinel.hostAddress ? `${sentinel.hostAddress}${prefix ? `/${prefix}` : ""}` : ""].filter(Boolean).join("\n") });
  });
}

function drawSentinel(dot: DotGraph, context: TopologyContext, hostEnd: string): void {
  const sentinel = context.sentinel;
  if (!sentinel?.address) return;
  const prefix = sentinel.link?.split("/")[1];
  const node = dot.cluster("sentinel", { label: `sentinel (the outside)\nnetns ${sentinel.namespace ?? "(not observed)"}`, ...COLORS.sentinel }, () => {
    const serves = [sentinel.tcpPort ? `tcp :${sentinel.tcpPort}` : "", sentinel.dnsName ? `dns ${sentinel.dnsName}` : ""].filter(Boolean).join(", ");
    return dot.node({ label: [`${sentinel.address}${prefix ? `/${prefix}` : ""}`, serves].filter(Boolean).join("\n") });
  });
  dot.edge(hostEnd, node, { label: "veth pair", color: "#b0504a", penwidth: "2" });
}

/**
 * The lab's network as observed, in Graphviz's DOT language: the host and each network namespace as boxes,
 * interfaces inside them with their indexes and addresses, veth pairs joined where both ends' indexes match,
 * bridge ports joined to their bridge, and the sentinel. Only what the lab noted is drawn: an end the lab did
 * not see on the host is drawn dashed, by its index.
 */
export function topologyDot(lab: Pick<LabRecord, "lab" | "containers" | "host">, context: TopologyContext = {}): string {
  const view = hostSeenFromInside(labView(lab));
  const dot = new DotGraph(lab.lab, {
    graph: { rankdir: "LR", fontname: "Helvetica", fontsize: "11", label: `${lab.lab}: topology as observed`, labelloc: "t", nodesep: "0.3" },
    node: { shape: "box", style: "rounded,filled", fillcolor: "white", fontname: "Helvetica", fontsize: "10" },
    edge: { fontname: "Helvetica", fontsize: "9", dir: "none" },
  });
  const { own, inHost } = namespaces(view.containers, view.host.netns);
  const ends = drawNamespaces(dot, own);
  const sentinelHostEnd = drawHost(dot, view, context, ends, inHost);
  if (sentinelHostEnd) drawSentinel(dot, context, sentinelHostEnd);
  return dot.toString();
}
