import { createHash } from "node:crypto";
import { join } from "node:path";
import ipaddr from "ipaddr.js";
import { hostAt, subnetAt } from "./cidr.js";

/** At most this many node engines in one group: each is a whole dockerd and containerd on a shared machine. */
export const MAX_NODES = 5;
/** Node engines a group gets when nobody says how many. */
export const DEFAULT_NODES = 2;
/** Sockets, exec roots, pid files and logs: gone with a reboot, as the engines are. */
export const NODE_RUN_ROOT = "/run/netlab/nodes";
/** Data roots (image layers, containers): on disk, as an engine's /var/lib/docker is. */
export const NODE_DATA_ROOT = "/var/lib/netlab/nodes";
/**
 * Each group of nodes gets a /20 of the node pool: its underlay is the first /24, node i's bridge the (i+1)-th;
 * the third /22 is the nodes' local pool (each node's docker_gwbridge and bridges: nodes are apart, they may
 * share it), the fourth the swarm's pool for overlays. Every address a node uses comes from netlab's range.
 */
export const SLOT_PREFIX = 20;
/** Overlays across a group's nodes get subnets of this length from its swarm pool: 16 of them. */
const SWARM_MASK_LENGTH = 26;
/** Where a node's engine also listens on its underlay address (Docker's plain-TCP port). */
export const NODE_TCP_PORT = 2375;
/** The operator's address on every underlay (the underlay namespace's end of the bridge): the last host of its /24. */
export const OPERATOR_HOST = 254;
/** The node's end of its underlay link, inside the node's namespace. */
export const UNDERLAY_DEVICE = "underlay0";
/** The Linux bridge every node's link plugs into, inside the underlay namespace. */
export const UNDERLAY_BRIDGE = "underlay";

const RUN_ID = /^[0-9a-f]{8}$/;
/** `nln-<run>-<i>` (a node) and `nlu-<run>` (its group's underlay): unlike the sentinel's, parent links' and by-hand's names. */
const NODE_NAMESPACE = /^nln-([0-9a-f]{8})-(\d+)$/;
const UNDERLAY_NAMESPACE = /^nlu-([0-9a-f]{8})$/;

export class NodePlanError extends Error {
  override name = "NodePlanError";
}

export interface NodePlan {
  runId: string;
  /** 1-based, as a learner counts nodes. */
  index: number;
  /** The node's name, also its network namespace's. */
  name: string;
  dir: string;
  socket: string;
  /** `unix://…`: what DOCKER_HOST or `docker -H` takes. */
  host: string;
  /**
   * `tcp://<underlay address>:2375`: the same engine for a program on the underlay (another host on the nodes'
   * LAN); plain TCP is reachable from netlab's underlay namespaces only.
   */
  tcpHost: string;
  dataRoot: string;
  execRoot: string;
  pidFile: string;
  logFile: string;
  configFile: string;
  /** The node's address on the underlay, and the underlay's prefix length. */
  underlayAddress: string;
  underlayPrefix: number;
  /** The node's end of the veth pair, in the underlay namespace (the bridge's port). */
  bridgePort: string;
  /** The engine's default bridge (`--bip`): gateway address and prefix. */
  bip: string;
  /** The node's host name (its own UTS namespace): what `docker node ls` shows and `node.hostname` constraints match. */
  hostname: string;
  /** Where the engine takes local networks' subnets (docker_gwbridge, user bridges): `--default-address-pool`. */
  localPool: string;
  /** The group's containerd, and the namespace of it this engine's containers live in. */
  containerdSocket: string;
  containerdNamespace: string;
}

/** One containerd per group, shared by its engines (each in a namespace of it): an engine's own would cost as much again. */
export interface ContainerdPlan {
  dir: string;
  config: string;
  socket: string;
  root: string;
  state: string;
  logFile: string;
}

export interface GroupPlan {
  runId: string;
  slot: number;
  underlayNamespace: string;
  underlay: string;
  /** The underlay namespace's own address on the bridge: a program there is a host on the nodes' LAN. */
  operatorAddress: string;
  dir: string;
  dataDir: string;
  containerd: ContainerdPlan;
  nodes: NodePlan[];
  /** A swarm across the group takes its overlays' subnets here (`docker swarm init --default-addr-pool`). */
  swarmPool: string;
  /** The length of each overlay's subnet in swarmPool (`--default-addr-pool-mask-length`). */
  swarmPoolMaskLength: number;
}

/** How many groups of nodes the pool holds at once. */
export function slotCount(pool: string): number {
  const [, bits] = ipaddr.IPv4.parseCIDR(pool);
  if (bits > SLOT_PREFIX) throw new NodePlanError(`node pool ${pool} is narrower than /${SLOT_PREFIX}`);
  return 2 ** (SLOT_PREFIX - bits);
}

/** The lowest slot no live group uses, or undefined when every slot is taken. */
export function freeSlot(pool: string, used: Iterable<number>): number | undefined {
  const taken = new Set(used);
  for (let slot = 0; slot < slotCount(pool); slot += 1) if (!taken.has(slot)) return slot;
  return undefined;
}

/** Names, paths and addresses of a group of `count` nodes in slot `slot` of `pool`. */
export function planGroup(runId: string, count: number, pool: string, slot: number): GroupPlan {
  if (!RUN_ID.test(runId)) throw new NodePlanError(`run id "${runId}" is not 8 hex digits`);
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES)
    throw new NodePlanError(`a group has 1 to ${MAX_NODES} nodes, not ${count}`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount(pool))
    throw new NodePlanError(`slot ${slot} is outside node pool ${pool}`);
  const range = subnetAt(pool, SLOT_PREFIX, slot);
  const underlay = subnetAt(range, 24, 0);
  const dir = join(NODE_RUN_ROOT, runId);
  const dataDir = join(NODE_DATA_ROOT, runId);
  const containerdDir = join(dir, "containerd");
  const containerd: ContainerdPlan = {
    dir: containerdDir,
    config: join(containerdDir, "config.toml"),
    socket: join(containerdDir, "containerd.sock"),
    root: join(dataDir, "containerd"),
    state: join(containerdDir, "state"),
    logFile: join(containerdDir, "containerd.log"),
  };
  const nodes = Array.from({ length: count }, (_, offset): NodePlan => {
    const index = offset + 1;
    const nodeDir = join(dir, `n${index}`);
    const socket = join(nodeDir, "docker.sock");
    return {
      runId,
      index,
      name: `nln-${runId}-${index}`,
      dir: nodeDir,
      socket,
      host: `unix://${socket}`,
      tcpHost: `tcp://${hostAt(underlay, index)}:${NODE_TCP_PORT}`,
      dataRoot: join(dataDir, `n${index}`),
      execRoot: join(nodeDir, "exec"),
      pidFile: join(nodeDir, "docker.pid"),
      logFile: join(nodeDir, "dockerd.log"),
      configFile: join(nodeDir, "daemon.json"),
      underlayAddress: hostAt(underlay, index),
      underlayPrefix: 24,
      bridgePort: `nlu${index}`,
      bip: `${hostAt(subnetAt(range, 24, index), 1)}/24`,
      hostname: `node${index}`,
      localPool: subnetAt(range, 22, 2),
      containerdSocket: containerd.socket,
      containerdNamespace: `n${index}`,
    };
  });
  return {
    runId,
    slot,
    underlayNamespace: `nlu-${runId}`,
    underlay,
    operatorAddress: hostAt(underlay, OPERATOR_HOST),
    dir,
    dataDir,
    containerd,
    nodes,
    swarmPool: subnetAt(range, 22, 3),
    swarmPoolMaskLength: SWARM_MASK_LENGTH,
  };
}

/**
 * The node engine's command line: every path its own, its own config file (the machine's daemon.json may set
 * hosts or a data root that would clash), and a resolver on loopback so its containers never ask the
 * machine's resolvers, nor an engine's public fallback, for a name.
 */
export function dockerdArgs(node: NodePlan): string[] {
  return [
    "--config-file",
    node.configFile,
    "--data-root",
    node.dataRoot,
    "--exec-root",
    node.execRoot,
    "--pidfile",
    node.pidFile,
    "-H",
    node.host,
    "-H",
    node.tcpHost,
    // Said outright: engines from 27 on refuse a TCP listener without TLS unless told.
    "--tls=false",
    "--bip",
    node.bip,
    "--default-address-pool",
    `base=${node.localPool},size=24`,
    "--dns",
    "127.0.0.1",
    "--containerd",
    node.containerdSocket,
    "--containerd-namespace",
    node.containerdNamespace,
    "--containerd-plugins-namespace",
    `${node.containerdNamespace}-plugins`,
  ];
}

/** The group's containerd configuration: its own paths and socket; no CRI (no kubelet talks to it). */
export function containerdConfig(plan: ContainerdPlan): string {
  return [
    "version = 2",
    `root = ${JSON.stringify(plan.root)}`,
    `state = ${JSON.stringify(plan.state)}`,
    "[grpc]",
    `  address = ${JSON.stringify(plan.socket)}`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    "  disable = true",
    "",
  ].join("\n");
}

/** What `nsenter` runs: dockerd in the node's namespace, with the host's mounts (`ip netns exec` remounts /sys). */
export function nodeCommand(node: NodePlan, dockerd = "dockerd"): string[] {
  // A UTS namespace of the node's own, named after it, so a swarm's nodes are told apart by host name; every
  // step execs the next, so the pid spawned is dockerd's.
  return [
    `--net=/var/run/netns/${node.name}`,
    "unshare",
    "--uts",
    "sh",
    "-c",
    'hostname "$0" && exec "$@"',
    node.hostname,
    dockerd,
    ...dockerdArgs(node),
  ];
}

/**
 * Where containerd's shim for container `id` of a node listens: a path containerd derives from its socket, the
 * namespace and the id, in a folder of its own that engines share; a killed shim leaves it behind.
 */
export function shimSocket(node: NodePlan, id: string): string {
  const digest = createHash("sha256")
    .update(join(node.containerdSocket, node.containerdNamespace, id))
    .digest("hex");
  return join("/run/containerd/s", digest);
}

/** The run a namespace of a node group belongs to (`nln-<run>-<i>`, `nlu-<run>`), or undefined for anything else. */
export function nodeNamespaceRun(namespace: string): string | undefined {
  return NODE_NAMESPACE.exec(namespace)?.[1] ?? UNDERLAY_NAMESPACE.exec(namespace)?.[1];
}

/** `"3"` → 3; anything but a whole number from 1 to MAX_NODES is refused with the words a user reads. */
export function parseNodeCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > MAX_NODES)
    throw new NodePlanError(`node count "${text}" must be a whole number from 1 to ${MAX_NODES}`);
  return count;
}
