import { TopologyGraph } from "./topology-graph.js";
import { drawNodeLab } from "./topology-nodes.js";
import { drawProbes, type ProbeEnds } from "./topology-probes.js";
import { COLORS, isBridge, linkLabel } from "./topology-style.js";
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

type TopologyLab = Pick<LabRecord, "lab" | "containers" | "host" | "networks"> & Partial<Pick<LabRecord, "checks">>;

/** What the picture needs of the run besides the lab's own facts: the sentinel and the default bridge. */
export interface TopologyContext {
  sentinel?: {
    namespace?: string;
    hostInterface?: string;
    hostAddress?: string;
    address?: string;
    link?: string;
    tcpPort?: number;
    dnsName?: string;
  };
  bridge?: { name?: string; subnet?: string; gateway?: string };
}

export function topologyContext(run: {
  sentinel: Record<string, unknown>;
  engine: Record<string, unknown>;
}): TopologyContext {
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
  const links =
    view.host.links.length > 0
      ? view.host.links
      : (inside.find((container) => container.links.length > 0)?.links ?? []);
  const addresses =
    view.host.addresses.length > 0
      ? view.host.addresses
      : (inside.find((container) => container.addresses.length > 0)?.addresses ?? []);
  return { ...view, host: { netns, links, addresses } };
}

/** Where edges about a container start and end: its first interface other than lo, or what stands for it. */
type Anchors = Map<string, string>;

/** A container's address on a network as drawn, by `container\u0000network`: its edge to that network starts there. */
type AttachmentNodes = Map<string, string>;

/** The netns line of a box: left out where nothing recorded interfaces (a check sees the engine's view only). */
const netnsLine = (netns: string | undefined, engineView: boolean) =>
  netns ? `\nnetns ${netns}` : engineView ? "" : "\nnetns (not observed)";

/**
 * Whether the lab recorded the engine's view only (an address per network, as `netlab check` does): no
 * interfaces or namespaces anywhere, so none of them is "not observed", they were never looked for.
 */
function engineViewOnly(view: LabView): boolean {
  return (
    view.containers.some((container) => container.attachments.length > 0) &&
    view.containers.every((container) => container.links.length === 0 && !container.netns) &&
    view.host.links.length === 0 &&
    !view.host.netns
  );
}

/**
 * Each namespace of its own as a box with its interfaces; returns the interfaces that name a peer. Two
 * containers in one namespace (`--network container:`) are drawn as two containers inside the same box.
 */
function drawNamespaces(
  dot: TopologyGraph,
  own: Namespace[],
  anchors: Anchors,
  attached: AttachmentNodes,
  engineView: boolean,
): LinkEnd[] {
  const ends: LinkEnd[] = [];
  own.forEach((namespace, index) => {
    const shared = namespace.containers.length > 1;
    const names = namespace.containers.map((container) => {
      const about = [
        container.network?.replace(/^container:([0-9a-f]{12})[0-9a-f]*$/, "container:$1"),
        container.address,
      ]
        .filter(Boolean)
        .join(", ");
      return about ? `${container.label} (${about})` : container.label;
    });
    // The engine's view draws each network and address inside the box: the title names the container only.
    const single = engineView ? namespace.containers[0]?.label : names[0];
    const title = shared ? `one network namespace, ${namespace.containers.length} containers` : (single ?? "");
    dot.cluster(
      `ns${index}`,
      { label: `${title}${netnsLine(namespace.netns, engineView)}`, ...COLORS.namespace },
      () => {
        const members = shared
          ? namespace.containers.map(
              (container, at) =>
                [
                  container,
                  dot.node({ label: `container ${names[at]}`, shape: "component", fillcolor: "#ffffff" }),
                ] as const,
            )
          : [];
        const withLinks = namespace.containers.find((container) => container.links.length > 0);
        const all = namespace.containers.flatMap((container) => container.addresses);
        const addresses = [
          ...new Map(all.map((address) => [`${address.interface} ${address.cidr}`, address])).values(),
        ];
        let anchor: string;
        const attachments = namespace.containers.flatMap((container) =>
          container.attachments.map((attachment) => ({ container, attachment })),
        );
        if (!withLinks && attachments.length > 0) {
          // The engine's view: the container's address on each network, each joined to its network below.
          const nodes = attachments.map(({ container, attachment }) => {
            const node = dot.node({ label: `${attachment.network}\n${attachment.address}` });
            attached.set(`${container.name}\u0000${attachment.network}`, node);
            return node;
          });
          anchor = nodes[0]!;
        } else if (!withLinks && engineView) {
          anchor = dot.node({ label: "no network address", style: "rounded,dashed" });
        } else if (!withLinks) {
          const known = namespace.containers.flatMap((container) => (container.address ? [container.address] : []));
          anchor = dot.node({
            label: known.length ? `interfaces not observed\naddress ${known.join(", ")}` : "interfaces not observed",
            style: "rounded,dashed",
          });
        } else {
          const nodes = withLinks.links.map((link) => {
            const node = dot.node({
              label: linkLabel(link, addresses),
              fillcolor: link.name === "lo" ? "#f4f4f4" : "white",
            });
            if (link.peerIndex !== undefined)
              ends.push({ node, link: { ...link, peerIndex: link.peerIndex }, containers: namespace.containers });
            return { link, node };
          });
          anchor =
            (nodes.find(({ link }) => link.name !== "lo") ?? nodes[0])?.node ?? dot.node({ label: "no interfaces" });
          // Both containers use the same interfaces: the namespace's, not either one's.
          for (const [, member] of members) dot.edge(member, anchor, { label: "shares", style: "dotted" });
        }
        for (const container of namespace.containers) anchors.set(container.name, anchor);
      },
    );
  });
  return ends;
}

/** A network the lab created, as the host sees it: its bridge, its parent, or its VXLAN. */
function networkLabel(network: NetworkView): string {
  const addressing = [network.subnet, network.gateway ? `gateway ${network.gateway}` : ""].filter(Boolean).join(", ");
  if (network.driver === "bridge") {
    return [
      `${network.bridge ?? network.name} (bridge)`,
      `network ${network.label}`,
      addressing,
      network.internal ? "internal: no way out" : "",
    ]
      .filter(Boolean)
      .join("\n");
  }
  if (network.driver === "macvlan" || network.driver === "ipvlan") {
    return [
      `${network.driver} ${network.label}${network.mode ? ` (${network.mode})` : ""}`,
      `segment ${network.subnet ?? "?"}`,
      network.parent ? `on parent ${network.parent}` : "",
    ]
      .filter(Boolean)
      .join("\n");
  }
  if (network.driver === "overlay") {
    return [
      `overlay ${network.label}`,
      addressing,
      `VXLAN${network.vxlanId ? ` id ${network.vxlanId}` : ""} (UDP 4789 between nodes)`,
    ].join("\n");
  }
  // A network known only from the containers' attachments: its driver was not read.
  return [`${network.driver ?? "network"} ${network.label}`, addressing].filter(Boolean).join("\n");
}

/** What the host's box drew that probes and other boxes connect to. */
interface HostNodes {
  sentinelEnd?: string;
  /** The host itself, where the lab's probes start or end on it. */
  self?: string;
  /** Published ports by `hostIp:hostPort`. */
  bindings: Map<string, string>;
  /** Bridges and networks by name (docker0, br-…, a network's name). */
  bridges: Map<string, string>;
}

/**
 * The host's box: the bridges and networks this lab's containers hang off (other labs' may be there at the
 * same time), the host ends of its interfaces, published ports, host-network containers, and the host end of
 * the sentinel's link. eth0@ifN names the other end of a veth pair or the parent of a macvlan: only an
 * observed veth, or a host end that points back, makes a "veth pair"; otherwise the edge says what was seen.
 */
function drawHost(
  dot: TopologyGraph,
  view: LabView,
  context: TopologyContext,
  ends: LinkEnd[],
  inHost: ContainerView[],
  anchors: Anchors,
  attached: AttachmentNodes,
  wantSelf: boolean,
): HostNodes {
  const bridgeName = context.bridge?.name;
  const hostBridges = view.host.links.filter((link) => isBridge(link, bridgeName));
  const hostPorts = view.host.links.filter((link) => !isBridge(link, bridgeName));
  const peerOf = (end: LinkEnd) =>
    hostPorts.find(
      (link) =>
        link.index === end.link.peerIndex && (link.peerIndex === undefined || link.peerIndex === end.link.index),
    );
  const onDefaultBridge = view.containers.some((container) => container.network === "bridge");
  const used = new Set(ends.flatMap((end) => peerOf(end)?.master ?? []));
  if (onDefaultBridge && bridgeName) used.add(bridgeName);
  const result: HostNodes = { bindings: new Map(), bridges: new Map() };

  result.sentinelEnd = dot.cluster(
    "host",
    { label: `host${netnsLine(view.host.netns, engineViewOnly(view))}`, ...COLORS.host },
    () => {
      const bridges = result.bridges;
      // The lab's own networks first, with what the engine said of them (subnet, internal, parent, VXLAN).
      for (const network of view.networks) {
        const style = network.internal ? { ...COLORS.bridge, fillcolor: "#fde9e7", color: "#b0504a" } : COLORS.bridge;
        const node = dot.node({ label: networkLabel(network), ...style });
        bridges.set(network.name, node);
        if (network.bridge) bridges.set(network.bridge, node);
        if (network.parent) {
          const parent = dot.node({ label: `${network.parent}\nparent link (made by netlab)` });
          dot.edge(node, parent, { label: "sub-interfaces of", style: "dashed" });
        }
      }
      if (view.networks.some((network) => network.driver === "overlay")) {
        bridges.set(
          "docker_gwbridge",
          dot.node({
            label: "docker_gwbridge (bridge)\noverlay members' second interface:\ntheir way out, NAT by the host",
            ...COLORS.bridge,
          }),
        );
      }
      for (const link of hostBridges.filter((bridge) => used.has(bridge.name) && !bridges.has(bridge.name))) {
        const cidrs = view.host.addresses
          .filter((address) => address.interface === link.name)
          .map((address) => address.cidr);
        const engine =
          link.name === bridgeName && context.bridge?.gateway
            ? [`gateway ${context.bridge.gateway}`, context.bridge.subnet ?? ""]
            : [];
        bridges.set(
          link.name,
          dot.node({
            label: [`${link.name}  #${link.index} (bridge)`, ...(cidrs.length ? cidrs : engine)]
              .filter(Boolean)
              .join("\n"),
            ...COLORS.bridge,
          }),
        );
      }
      if (onDefaultBridge && bridgeName && !bridges.has(bridgeName)) {
        const { gateway, subnet } = context.bridge ?? {};
        const label = [
          `${bridgeName} (bridge)`,
          gateway ? `gateway ${gateway}` : "",
          subnet ?? "",
          "as the engine reports it",
        ]
          .filter(Boolean)
          .join("\n");
        bridges.set(bridgeName, dot.node({ label, ...COLORS.bridge }));
      }
      if (bridgeName && bridges.has(bridgeName)) bridges.set("bridge", bridges.get(bridgeName) as string);

      const drawn = new Set<number>();
      const unseen = new Map<number, string>();
      const joined = new Set<string>();
      for (const end of ends) {
        const index = end.link.peerIndex;
        const peer = peerOf(end);
        if (peer) {
          drawn.add(peer.index);
          const node = dot.node({ label: linkLabel(peer, view.host.addresses) });
          const pair = peer.kind === "veth" || peer.peerIndex === end.link.index;
          dot.edge(end.node, node, {
            label: pair ? "veth pair" : `${end.link.name}@if${index}`,
            color: "#4a78b0",
            penwidth: "2",
          });
          const bridge = peer.master ? bridges.get(peer.master) : undefined;
          if (bridge) {
            dot.edge(node, bridge, { label: "port of", style: "dashed" });
            for (const container of end.containers) joined.add(`${container.name}\u0000${peer.master}`);
          }
          continue;
        }
        let node = unseen.get(index);
        if (!node) {
          node = dot.node({ label: `#${index}\n(not observed on the host)`, style: "rounded,dashed" });
          unseen.set(index, node);
          const engineBridge = bridgeName ? bridges.get(bridgeName) : undefined;
          if (engineBridge && end.containers.some((container) => container.network === "bridge")) {
            dot.edge(node, engineBridge, { label: "network bridge (engine)", style: "dotted" });
            for (const container of end.containers) joined.add(`${container.name}\u0000${bridgeName}`);
          }
        }
        dot.edge(end.node, node, { label: `${end.link.name}@if${index}`, color: "#4a78b0", style: "dashed" });
      }
      // Members of a network whose way to it was not drawn above: an edge says which network (and, on an overlay, which interface).
      for (const container of view.containers) {
        const anchor = anchors.get(container.name);
        if (!anchor) continue;
        for (const name of container.networks) {
          const network = view.networks.find((candidate) => candidate.name === name);
          const bridge = network?.bridge ?? (name === "bridge" ? bridgeName : name);
          const node = bridges.get(name);
          if (!node || (bridge && joined.has(`${container.name}\u0000${bridge}`))) continue;
          dot.edge(attached.get(`${container.name}\u0000${name}`) ?? anchor, node, {
            label:
              network?.driver === "overlay"
                ? "eth0: VXLAN"
                : network?.driver === "macvlan" || network?.driver === "ipvlan"
                  ? network.driver
                  : "member",
            style: "dashed",
          });
        }
        const gwbridge = bridges.get("docker_gwbridge");
        if (
          gwbridge &&
          container.links.some((link) => link.name === "eth1") &&
          container.networks.some(
            (name) => view.networks.find((network) => network.name === name)?.driver === "overlay",
          )
        ) {
          dot.edge(anchor, gwbridge, { label: "eth1", style: "dashed" });
        }
      }

      // Published ports: the host's port (and the address it is bound to) leads to the container's port.
      for (const container of view.containers) {
        const anchor = anchors.get(container.name);
        for (const port of container.ports) {
          const key = `${port.hostIp}:${port.hostPort}`;
          const node = dot.node({
            label: `-p ${key}\nbound to ${port.hostIp === "0.0.0.0" ? "every host address" : port.hostIp}`,
            shape: "box",
            style: "filled",
            fillcolor: "#e2f0d9",
            color: "#548235",
          });
          result.bindings.set(key, node);
          if (anchor)
            dot.edge(node, anchor, {
              label: `→ ${container.label}:${port.containerPort}`,
              dir: "forward",
              color: "#548235",
            });
        }
      }

      const otherPorts = hostPorts.filter((link) => !drawn.has(link.index) && link.master && bridges.has(link.master));
      const otherBridges = hostBridges.filter((bridge) => !bridges.has(bridge.name));
      const notes = [
        otherPorts.length ? `${otherPorts.length} more port(s) on these bridges` : "",
        otherBridges.length ? `${otherBridges.length} other bridge(s)` : "",
      ];
      if (notes.some(Boolean))
        dot.node({ label: `${notes.filter(Boolean).join("\n")}\nnot this lab's`, shape: "plaintext", style: "" });
      for (const container of inHost) {
        anchors.set(
          container.name,
          dot.node({
            label: `container ${container.label}\n(the host's network namespace)`,
            shape: "component",
            fillcolor: "#e8f1fb",
          }),
        );
      }
      if (wantSelf)
        result.self = dot.node({
          label: "the host's own processes",
          shape: "box",
          style: "rounded,filled",
          fillcolor: "#ffffff",
        });

      const sentinel = context.sentinel;
      if (!sentinel?.address) return undefined;
      const prefix = sentinel.link?.split("/")[1];
      const seen = view.host.links.find((link) => link.name === sentinel.hostInterface);
      const name = seen
        ? `${seen.name}${seen.peerIndex !== undefined ? `@if${seen.peerIndex}` : ""}  #${seen.index}`
        : (sentinel.hostInterface ?? "sentinel link");
      return dot.node({
        label: [name, sentinel.hostAddress ? `${sentinel.hostAddress}${prefix ? `/${prefix}` : ""}` : ""]
          .filter(Boolean)
          .join("\n"),
      });
    },
  );
  return result;
}

function drawSentinel(dot: TopologyGraph, context: TopologyContext, hostEnd: string): string | undefined {
  const sentinel = context.sentinel;
  if (!sentinel?.address) return undefined;
  const prefix = sentinel.link?.split("/")[1];
  const node = dot.cluster(
    "sentinel",
    { label: `sentinel (the outside)\nnetns ${sentinel.namespace ?? "(not observed)"}`, ...COLORS.sentinel },
    () => {
      const serves = [
        sentinel.tcpPort ? `tcp :${sentinel.tcpPort}` : "",
        sentinel.dnsName ? `dns ${sentinel.dnsName}` : "",
      ]
        .filter(Boolean)
        .join(", ");
      return dot.node({
        label: [`${sentinel.address}${prefix ? `/${prefix}` : ""}`, serves].filter(Boolean).join("\n"),
      });
    },
  );
  dot.edge(hostEnd, node, { label: "veth pair", color: "#b0504a", penwidth: "2" });
  return node;
}

/** Where the host's picture's probes start and end: containers, the host's own processes, the sentinel, published ports. */
function probeEnds(
  view: LabView,
  context: TopologyContext,
  anchors: Anchors,
  attached: AttachmentNodes,
  host: HostNodes,
  sentinelNode?: string,
): ProbeEnds {
  const byAddress = new Map<string, string>();
  for (const container of view.containers) {
    const anchor = anchors.get(container.name);
    if (anchor) for (const address of addressesOf(container)) byAddress.set(address, anchor);
    // A probe to one of its networks' addresses ends at that address.
    for (const { network, address } of container.attachments) {
      const node = attached.get(`${container.name}\u0000${network}`);
      if (node) byAddress.set(address, node);
    }
  }
  for (const network of view.networks) {
    const node = host.bridges.get(network.name);
    if (node && network.gateway) byAddress.set(network.gateway, node);
  }
  const docker0 = context.bridge?.name ? host.bridges.get(context.bridge.name) : undefined;
  if (docker0 && context.bridge?.gateway) byAddress.set(context.bridge.gateway, docker0);
  if (sentinelNode && context.sentinel?.address) byAddress.set(context.sentinel.address, sentinelNode);
  return {
    from: (name) => (name === "sentinel" ? sentinelNode : name === "host" ? host.self : anchors.get(name)),
    to: (origin, target) => {
      const [address = "", port = ""] = target.split(/:(?=\d+$)/);
      const binding = host.bindings.get(`${address}:${port}`) ?? host.bindings.get(`0.0.0.0:${port}`);
      if (binding && (origin === "host" || origin === "sentinel" || !address.startsWith("127."))) return binding;
      if (address === context.sentinel?.hostAddress) return host.self;
      if (address.startsWith("127.")) return origin === "host" ? host.self : undefined;
      return byAddress.get(address);
    },
  };
}

function topologyGraph(lab: TopologyLab, context: TopologyContext): TopologyGraph {
  const view = hostSeenFromInside(labView(lab));
  const dot = new TopologyGraph(lab.lab, {
    graph: {
      rankdir: "LR",
      fontname: "Helvetica",
      fontsize: "11",
      label: `${lab.lab}: topology as observed`,
      labelloc: "t",
      nodesep: "0.3",
    },
    node: { shape: "box", style: "rounded,filled", fillcolor: "white", fontname: "Helvetica", fontsize: "10" },
    edge: { fontname: "Helvetica", fontsize: "9", dir: "none" },
  });
  if (drawNodeLab(dot, lab)) return dot;
  const { own, inHost } = namespaces(view.containers, view.host.netns);
  const anchors: Anchors = new Map();
  const attached: AttachmentNodes = new Map();
  const ends = drawNamespaces(dot, own, anchors, attached, engineViewOnly(view));
  // The host's own processes get a node when a probe starts there or goes to the host's address.
  const wantSelf = (lab.checks ?? []).some((check) =>
    check.probes.some(
      (probe) =>
        probe.probe === "tcp" &&
        (probe.from === "host" || probe.target.split(":")[0] === context.sentinel?.hostAddress),
    ),
  );
  const host = drawHost(dot, view, context, ends, inHost, anchors, attached, wantSelf);
  // A checked spec's probes start at the service name it wrote (`from: web`), not the container's own name.
  for (const container of view.containers) {
    const anchor = anchors.get(container.name);
    if (container.service && anchor && !anchors.has(container.service)) anchors.set(container.service, anchor);
  }
  const sentinel = host.sentinelEnd ? drawSentinel(dot, context, host.sentinelEnd) : undefined;
  drawProbes(dot, lab.checks ?? [], probeEnds(view, context, anchors, attached, host, sentinel));
  return dot;
}

/**
 * The lab's network as observed, in Graphviz's DOT language: the host and each network namespace as boxes,
 * interfaces inside them with their indexes and addresses, veth pairs joined where both ends' indexes match,
 * bridge ports joined to their bridge, the lab's networks (user-defined bridges with their subnet and whether
 * internal, macvlan's parent and segment, overlay's VXLAN and docker_gwbridge), published ports as host port →
 * container port, the sentinel, and each probe as an arrow coloured by its outcome. Only what the lab noted
 * is drawn: an end the lab did not see on the host is drawn dashed, by its index.
 */
export function topologyDot(lab: TopologyLab, context: TopologyContext = {}): string {
  return topologyGraph(lab, context).toString();
}

/** The same picture in Mermaid, for summary.md (GitHub renders it). */
export function topologyMermaid(lab: TopologyLab, context: TopologyContext = {}): string {
  return topologyGraph(lab, context).toMermaid();
}
