import { hostAt, subnetAt } from "../core/cidr.js";
import { PluginNamespaces, sweepPluginNamespaces } from "./plugin-namespaces.js";

/** flannel's namespaces: `nlf-<runId>-<pid>-<tag>` (u: the underlay, n1/n2: nodes, n1a…: pods). */
export const FLANNEL_PREFIX = "nlf";
/** What flanneld's VXLAN backend uses (flannel Documentation/backends.md): VNI 1 on the kernel's old port 8472. */
export const FLANNEL_VNI = 1;
export const FLANNEL_PORT = 8472;
/** VXLAN's cost: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
export const VXLAN_OVERHEAD = 50;
export const VTEP = "flannel.1";
const UNDERLAY_MTU = 1500;

export class FlannelError extends Error {
  override name = "FlannelError";
}

export interface FlannelPod {
  tag: string;
  node: string;
  address: string;
}

export interface FlannelNode {
  tag: string;
  /** The node's lease, as flanneld would get it: a /24 of the pod network. */
  subnet: string;
  /** The lease's network address, which flanneld puts on flannel.1 as a /32. */
  vtepAddress: string;
  /** cni0's address: the pods' gateway. */
  gateway: string;
  underlayAddress: string;
  pods: FlannelPod[];
}

export interface FlannelPlan {
  /** flannel's `Network` (its default is 10.244.0.0/16): here a /20 of NETLAB_LAB_POOL. */
  network: string;
  /** The nodes' own segment, outside the pod network. */
  underlay: string;
  nodes: FlannelNode[];
}

/**
 * Two nodes with two pods each, addressed from `pool` (NETLAB_LAB_POOL): the underlay is its first /24, the
 * pod network its second /20, and node i leases that /20's /24 number i (flannel's SubnetMin skips the first).
 */
export function flannelPlan(pool: string, nodeCount = 2, podsPerNode = 2): FlannelPlan {
  const bits = Number(pool.split("/")[1]);
  if (!(bits <= 20)) throw new FlannelError(`NETLAB_LAB_POOL ${pool} is narrower than /20: flannel's lab needs a /20`);
  const network = subnetAt(pool, 20, 1);
  const underlay = subnetAt(pool, 24, 0);
  const nodes = Array.from({ length: nodeCount }, (_, at): FlannelNode => {
    const tag = `n${at + 1}`;
    const subnet = subnetAt(network, 24, at + 1);
    return {
      tag,
      subnet,
      vtepAddress: hostAt(subnet, 0),
      gateway: hostAt(subnet, 1),
      underlayAddress: hostAt(underlay, at + 1),
      pods: Array.from({ length: podsPerNode }, (_, index) => ({
        tag: `${tag}${String.fromCharCode(97 + index)}`,
        node: tag,
        address: hostAt(subnet, index + 2),
      })),
    };
  });
  return { network, underlay, nodes };
}

/** One entry of `bridge fdb show dev flannel.1`. */
export interface FdbEntry {
  mac: string;
  dst?: string;
  flags: string[];
  state?: string;
}

/** What `ip -d link show flannel.1` says of the device. */
export interface VtepView {
  mac: string;
  mtu: number;
  vni?: number;
  port?: number;
  learning?: boolean;
  local?: string;
  link?: string;
  txDropped: number;
  addresses: string[];
}

/** Reads `ip -d -s -j addr show dev flannel.1` (one entry). */
export function parseVtep(json: string): VtepView {
  const [link] = JSON.parse(json) as Array<Record<string, unknown>>;
  if (!link) throw new FlannelError(`no ${VTEP} in: ${json.slice(0, 200)}`);
  const info = (link.linkinfo ?? {}) as { info_data?: Record<string, unknown> };
  const data = info.info_data ?? {};
  const stats = (link.stats64 ?? link.stats ?? {}) as { tx?: { dropped?: number } };
  const addresses = ((link.addr_info ?? []) as Array<{ family?: string; local?: string; prefixlen?: number }>)
    .filter((entry) => entry.family === "inet")
    .map((entry) => `${entry.local}/${entry.prefixlen}`);
  return {
    mac: String(link.address ?? ""),
    mtu: Number(link.mtu),
    vni: typeof data.id === "number" ? data.id : undefined,
    port: typeof data.port === "number" ? data.port : undefined,
    learning: typeof data.learning === "boolean" ? data.learning : undefined,
    local: typeof data.local === "string" ? data.local : undefined,
    link: typeof link.link === "string" ? link.link : undefined,
    txDropped: Number(stats.tx?.dropped ?? 0),
    addresses,
  };
}

/** Reads `bridge -j fdb show dev flannel.1`. */
export function parseFdb(json: string): FdbEntry[] {
  const entries = JSON.parse(json || "[]") as Array<{ mac?: string; dst?: string; flags?: string[]; state?: string }>;
  return entries.map((entry) => ({
    mac: entry.mac ?? "",
    ...(entry.dst ? { dst: entry.dst } : {}),
    flags: entry.flags ?? [],
    ...(entry.state ? { state: entry.state } : {}),
  }));
}

/**
 * flannel's data plane with its VXLAN backend, built the way flanneld programs it on each node, in network
 * namespaces only: an underlay bridge in a namespace of its own, nodes joined to it by veths, a `cni0` bridge
 * per node with its pods on veths, and per node `flannel.1` plus, for each peer, a route, a permanent
 * neighbour entry and an FDB entry (flanneld's `replace`s). remove() deletes the namespaces, and so all of it.
 */
export class FlannelCluster {
  readonly plan: FlannelPlan;
  readonly spaces: PluginNamespaces;
  readonly underlayNamespace: string;
  /** Each node's VTEP MAC, as flanneld publishes it in the node's lease (`VtepMAC`). */
  private readonly macs = new Map<string, string>();

  constructor(spaces: PluginNamespaces, plan: FlannelPlan) {
    this.spaces = spaces;
    this.plan = plan;
    this.underlayNamespace = spaces.name("u");
  }

  node(tag: string): FlannelNode {
    const found = this.plan.nodes.find((node) => node.tag === tag);
    if (!found) throw new FlannelError(`no node "${tag}" in the plan`);
    return found;
  }

  pod(tag: string): FlannelPod {
    const found = this.plan.nodes.flatMap((node) => node.pods).find((pod) => pod.tag === tag);
    if (!found) throw new FlannelError(`no pod "${tag}" in the plan`);
    return found;
  }

  /** Namespaces, underlay, nodes' veths and cni0, pods: what exists before flanneld starts. */
  async build(): Promise<void> {
    const { spaces, plan } = this;
    await spaces.addUnderlay(plan.underlay, plan.nodes, UNDERLAY_MTU);
    for (const node of plan.nodes) {
      await spaces.ip(node.tag, "link", "add", "cni0", "type", "bridge");
      await spaces.ip(node.tag, "addr", "add", `${node.gateway}/24`, "dev", "cni0");
      await spaces.ip(node.tag, "link", "set", "cni0", "mtu", String(UNDERLAY_MTU - VXLAN_OVERHEAD), "up");
      for (const [index, pod] of node.pods.entries()) {
        const podNamespace = await spaces.add(pod.tag);
        const veth = `veth${index}`;
        await spaces.ip(node.tag, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", podNamespace);
        await spaces.ip(node.tag, "link", "set", veth, "master", "cni0", "up");
        await spaces.ip(pod.tag, "addr", "add", `${pod.address}/24`, "dev", "eth0");
        // What flannel's CNI plugin gives a pod: the MTU of flannel.1 (FLANNEL_MTU in subnet.env).
        await spaces.ip(pod.tag, "link", "set", "eth0", "mtu", String(UNDERLAY_MTU - VXLAN_OVERHEAD), "up");
        await spaces.ip(pod.tag, "route", "add", "default", "via", node.gateway);
      }
    }
  }

  /** flanneld's start on `node`: flannel.1 with VNI `vni` (MAC kept when recreated, as its lease names it). */
  async addVtep(tag: string, vni: number = FLANNEL_VNI): Promise<void> {
    const node = this.node(tag);
    const mac = this.macs.get(tag);
    await this.spaces.ip(
      tag,
      "link",
      "add",
      VTEP,
      ...(mac ? ["address", mac] : []),
      "type",
      "vxlan",
      "id",
      String(vni),
      "local",
      node.underlayAddress,
      "dev",
      "underlay0",
      "dstport",
      String(FLANNEL_PORT),
      "nolearning",
    );
    await this.spaces.ip(tag, "link", "set", VTEP, "mtu", String(UNDERLAY_MTU - VXLAN_OVERHEAD));
    await this.spaces.ip(tag, "addr", "add", `${node.vtepAddress}/32`, "dev", VTEP);
    await this.spaces.ip(tag, "link", "set", VTEP, "up");
    this.macs.set(tag, (await this.vtep(tag)).mac);
  }

  /** What flanneld does on `tag` when it learns of `peer`'s lease: route, neighbour, FDB (each a replace). */
  async addPeer(tag: string, peerTag: string): Promise<void> {
    const peer = this.node(peerTag);
    const mac = this.macs.get(peerTag);
    if (!mac) throw new FlannelError(`node ${peerTag} has no ${VTEP} yet`);
    await this.spaces.ip(tag, "route", "replace", peer.subnet, "via", peer.vtepAddress, "dev", VTEP, "onlink");
    await this.spaces.ip(tag, "neigh", "replace", peer.vtepAddress, "lladdr", mac, "dev", VTEP, "nud", "permanent");
    await this.addFdb(tag, peerTag);
  }

  /** `bridge fdb replace <peer VTEP MAC> dev flannel.1 dst <peer underlay address> self permanent`. */
  async addFdb(tag: string, peerTag: string): Promise<void> {
    const mac = this.macs.get(peerTag) ?? "";
    await this.spaces.exec(tag, [
      "bridge",
      "fdb",
      "replace",
      mac,
      "dev",
      VTEP,
      "dst",
      this.node(peerTag).underlayAddress,
      "self",
      "permanent",
    ]);
  }

  async deleteFdb(tag: string, peerTag: string): Promise<void> {
    await this.spaces.exec(tag, ["bridge", "fdb", "del", this.macs.get(peerTag) ?? "", "dev", VTEP, "self"]);
  }

  /** The whole mesh: every node's flannel.1, then every node told of every other. */
  async programAll(): Promise<void> {
    for (const node of this.plan.nodes) await this.addVtep(node.tag);
    for (const node of this.plan.nodes)
      for (const peer of this.plan.nodes) if (peer !== node) await this.addPeer(node.tag, peer.tag);
  }

  /** The kernel cannot change a VXLAN's VNI: recreates `tag`'s flannel.1 with `vni` (same MAC) and its peers' state. */
  async setVni(tag: string, vni: number): Promise<void> {
    await this.spaces.ip(tag, "link", "del", VTEP);
    await this.addVtep(tag, vni);
    for (const peer of this.plan.nodes) if (peer.tag !== tag) await this.addPeer(tag, peer.tag);
  }

  async vtep(tag: string): Promise<VtepView> {
    const link = await this.spaces.ip(tag, "-d", "-s", "-j", "link", "show", "dev", VTEP);
    const addr = JSON.parse(await this.spaces.ip(tag, "-j", "addr", "show", "dev", VTEP)) as Array<
      Record<string, unknown>
    >;
    const merged = JSON.parse(link) as Array<Record<string, unknown>>;
    return parseVtep(JSON.stringify([{ ...merged[0], addr_info: addr[0]?.addr_info }]));
  }

  async fdb(tag: string): Promise<FdbEntry[]> {
    return parseFdb(await this.spaces.exec(tag, ["bridge", "-j", "fdb", "show", "dev", VTEP]));
  }

  async routes(tag: string): Promise<Array<Record<string, unknown>>> {
    return JSON.parse(await this.spaces.ip(tag, "-j", "route", "show")) as Array<Record<string, unknown>>;
  }

  async neighbours(tag: string): Promise<Array<Record<string, unknown>>> {
    return JSON.parse(await this.spaces.ip(tag, "-j", "neigh", "show", "dev", VTEP)) as Array<Record<string, unknown>>;
  }

  /** A link's MTU in a namespace. */
  async mtu(tag: string, device: string): Promise<number> {
    const [link] = JSON.parse(await this.spaces.ip(tag, "-j", "link", "show", "dev", device)) as Array<{
      mtu?: number;
    }>;
    return Number(link?.mtu);
  }

  remove(): Promise<void> {
    return this.spaces.remove();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}

/** The namespaces and temp dir of a flannel lab for run `runId`: made empty, filled by build(). */
export function flannelCluster(runId: string, pool: string): FlannelCluster {
  return new FlannelCluster(new PluginNamespaces(FLANNEL_PREFIX, runId), flannelPlan(pool));
}

/** Removes the flannel lab's namespaces and temp dirs of every run `isRunAlive` says is over. */
export function sweepFlannel(isRunAlive: (runId: string) => boolean): Promise<string[]> {
  return sweepPluginNamespaces(FLANNEL_PREFIX, isRunAlive);
}
