import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createDebug from "debug";
import { execa } from "execa";
import { removeNamedNamespace } from "./netns.js";
import { OvsSwitch, stopDaemonByPidFile } from "./ovs-switch.js";
import { namespaceSite, quote, type ProbeSite } from "./site.js";

const debug = createDebug("netlab");

/** `nlo-` for the openvswitch lab, `nlw-` for weave's: unlike by-hand's `nlx-`, the nodes' `nln-`/`nlu-`, flannel's and the pods' `nlf-`/`nlk-`. */
export type OvsLabPrefix = "nlo" | "nlw";
const RUN_ID = /^[0-9a-f]{8}$/;
const TAG = /^[a-z][a-z0-9]{0,5}$/;
/** `<prefix>-<runId>-<pid>-<tag>`: a namespace of the lab (node, pod or underlay). */
const NAMESPACE = /^(nlo|nlw)-([0-9a-f]{8})-(\d+)-([a-z][a-z0-9]{0,5})$/;
/** `<prefix>-<runId>-<pid>`: the lab's directory in the temp dir (the switches' databases, sockets, logs). */
const DIRECTORY = /^(nlo|nlw)-([0-9a-f]{8})-(\d+)$/;

export class OvsLabError extends Error {
  override name = "OvsLabError";
}

/** What a name of the lab says: whose it is. */
export interface OvsLabOwned {
  name: string;
  prefix: OvsLabPrefix;
  runId: string;
  pid: number;
}

/** Reads `ip netns list` for the namespaces of the openvswitch and weave labs, with the run and process of each. */
export function parseOvsLabNamespaces(text: string): OvsLabOwned[] {
  return text.split("\n").flatMap((line) => {
    const match = NAMESPACE.exec(line.trim().split(/\s+/)[0] ?? "");
    return match
      ? [{ name: match[0], prefix: match[1] as OvsLabPrefix, runId: match[2] ?? "", pid: Number(match[3]) }]
      : [];
  });
}

/** The lab directories among the temp dir's entries. */
export function parseOvsLabDirectories(entries: string[]): OvsLabOwned[] {
  return entries.flatMap((entry) => {
    const match = DIRECTORY.exec(entry);
    return match
      ? [{ name: entry, prefix: match[1] as OvsLabPrefix, runId: match[2] ?? "", pid: Number(match[3]) }]
      : [];
  });
}

/** The name of the lab's namespace `tag`, made by process `pid` of run `runId`. */
export function ovsLabNamespace(prefix: OvsLabPrefix, runId: string, tag: string, pid: number = process.pid): string {
  if (!RUN_ID.test(runId)) throw new OvsLabError(`run id "${runId}" is not 8 hex digits`);
  if (!TAG.test(tag)) throw new OvsLabError(`namespace tag "${tag}" is not a letter and up to 5 letters or digits`);
  return `${prefix}-${runId}-${pid}-${tag}`;
}

/** The node's end of pod `tag`'s veth: the bridge port OpenFlow and `ovs-vsctl list-ports` name. */
export function podPort(tag: string): string {
  return `veth-${tag}`;
}

/** A node of the lab: a namespace with its own Open vSwitch, on the underlay at `underlayAddress`. */
export interface OvsNode {
  tag: string;
  namespace: string;
  switch: OvsSwitch;
  underlayAddress: string;
}

/** A pod of the lab: a namespace whose eth0 is a veth to a port (named after the pod) of a bridge on its node. */
export interface OvsPod {
  tag: string;
  namespace: string;
  node: string;
  bridge: string;
  /** eth0's address, without the prefix length. */
  address: string;
  cidr: string;
}

/**
 * The namespaces of an Open vSwitch lab, all made here and named after the run and process (a sweep can tell
 * whose they are), with a directory of its own for the switches' files: nodes with private switches, pods
 * on their bridges, an underlay (a Linux bridge in a namespace) joining the nodes. Nothing is made in the
 * host's namespace. Every command is kept (`commands`); remove() stops the switches by pid and removes all.
 */
export class OvsLab {
  readonly prefix: OvsLabPrefix;
  readonly runId: string;
  readonly pid = process.pid;
  /** The lab's directory: each node's switch files in a folder named after the node. */
  readonly dir: string;
  readonly commands: string[] = [];
  readonly nodes = new Map<string, OvsNode>();
  readonly pods = new Map<string, OvsPod>();
  private readonly namespaces: string[] = [];

  constructor(prefix: OvsLabPrefix, runId: string) {
    this.prefix = prefix;
    this.runId = runId;
    if (!RUN_ID.test(runId)) throw new OvsLabError(`run id "${runId}" is not 8 hex digits`);
    this.dir = join(tmpdir(), `${prefix}-${runId}-${this.pid}`);
  }

  namespace(tag: string): string {
    return ovsLabNamespace(this.prefix, this.runId, tag, this.pid);
  }

  /** Probes from inside namespace `tag` (the host's busybox, `ip netns exec`). */
  site(tag: string): ProbeSite {
    return namespaceSite(tag, this.namespace(tag));
  }

  async ip(...args: string[]): Promise<string> {
    this.commands.push(`ip ${quote(args)}`);
    const result = await execa("ip", args, { reject: false });
    if (result.exitCode !== 0)
      throw new OvsLabError(`"ip ${quote(args)}" failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`);
    return String(result.stdout);
  }

  /** Runs `argv` inside namespace `tag` (a tool of the host, such as ethtool), keeping the command. */
  async exec(tag: string, argv: string[]): Promise<string> {
    const full = ["netns", "exec", this.namespace(tag), ...argv];
    this.commands.push(`ip ${quote(full)}`);
    const result = await execa("ip", full, { reject: false });
    if (result.exitCode !== 0)
      throw new OvsLabError(`"ip ${quote(full)}" failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`);
    return String(result.stdout);
  }

  /** A fresh namespace with lo up. */
  async addNamespace(tag: string): Promise<string> {
    const namespace = this.namespace(tag);
    await this.ip("netns", "add", namespace);
    this.namespaces.push(namespace);
    await this.ip("-n", namespace, "link", "set", "lo", "up");
    return namespace;
  }

  /** The underlay: namespace `tag` holding a Linux bridge `ul`, the wire between the nodes. */
  async addUnderlay(tag = "u"): Promise<string> {
    const namespace = await this.addNamespace(tag);
    await this.ip("-n", namespace, "link", "add", "ul", "type", "bridge");
    await this.ip("-n", namespace, "link", "set", "ul", "up");
    return namespace;
  }

  /** The underlay `u` and a node per entry (tag → its underlay CIDR), built side by side: each its own namespace and switch. */
  async addNodesOnUnderlay(nodes: Readonly<Record<string, string>>): Promise<OvsNode[]> {
    await this.addUnderlay("u");
    return Promise.all(Object.entries(nodes).map(([tag, cidr]) => this.addNode(tag, { underlay: { tag: "u", cidr } })));
  }

  /**
   * A node: a namespace with its own Open vSwitch, a `br-int` bridge for pods and, with `underlay`, a `br-phy`
   * bridge holding its underlay address whose port `ul0` is a veth to the underlay's bridge: how the userspace
   * datapath sends tunnel packets (the address on br-phy, so the switch's own routing and ARP find the peer).
   */
  async addNode(
    tag: string,
    options: { tso?: boolean; underlay?: { tag: string; cidr: string } } = {},
  ): Promise<OvsNode> {
    const namespace = await this.addNamespace(tag);
    const ovs = new OvsSwitch(namespace, join(this.dir, tag), this.commands);
    await ovs.start({ tso: options.tso });
    await ovs.vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev");
    const node: OvsNode = { tag, namespace, switch: ovs, underlayAddress: options.underlay?.cidr.split("/")[0] ?? "" };
    this.nodes.set(tag, node);
    if (options.underlay) {
      const underlay = this.namespace(options.underlay.tag);
      const port = `to-${tag}`;
      await this.ip(
        "-n",
        underlay,
        "link",
        "add",
        "name",
        port,
        "type",
        "veth",
        "peer",
        "name",
        "ul0",
        "netns",
        namespace,
      );
      await this.ip("-n", underlay, "link", "set", port, "master", "ul", "up");
      await this.ip("-n", namespace, "link", "set", "ul0", "up");
      await ovs.vsctl(
        "add-br",
        "br-phy",
        "--",
        "set",
        "bridge",
        "br-phy",
        "datapath_type=netdev",
        "--",
        "add-port",
        "br-phy",
        "ul0",
      );
      await this.ip("-n", namespace, "addr", "add", options.underlay.cidr, "dev", "br-phy");
      await this.ip("-n", namespace, "link", "set", "br-phy", "up");
    }
    return node;
  }

  /**
   * A pod on `node`'s `bridge`: a namespace whose eth0 is a veth to port `veth-<tag>` of the bridge. With
   * `plugged: false` the node's end is made but not yet a port of the bridge (plug() does that).
   */
  async addPod(
    tag: string,
    node: string,
    cidr: string,
    options: { bridge?: string; plugged?: boolean } = {},
  ): Promise<OvsPod> {
    const host = this.nodes.get(node);
    if (!host) throw new OvsLabError(`pod ${tag}: no node ${node} in the lab`);
    const namespace = await this.addNamespace(tag);
    const port = podPort(tag);
    await this.ip(
      "-n",
      host.namespace,
      "link",
      "add",
      "name",
      port,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      namespace,
    );
    await this.ip("-n", host.namespace, "link", "set", port, "up");
    await this.ip("-n", namespace, "addr", "add", cidr, "dev", "eth0");
    await this.ip("-n", namespace, "link", "set", "eth0", "up");
    const pod: OvsPod = {
      tag,
      namespace,
      node,
      bridge: options.bridge ?? "br-int",
      address: cidr.split("/")[0] ?? "",
      cidr,
    };
    this.pods.set(tag, pod);
    if (options.plugged !== false) await this.plug(tag);
    return pod;
  }

  /** Makes the pod's veth end a port of its bridge. */
  async plug(tag: string): Promise<void> {
    const pod = this.pods.get(tag);
    const node = pod ? this.nodes.get(pod.node) : undefined;
    if (!pod || !node) throw new OvsLabError(`no pod ${tag} in the lab`);
    await node.switch.vsctl("add-port", pod.bridge, podPort(tag));
    // Flows the datapath cached before (a flood without this port) hold until revalidated.
    await node.switch.settle();
  }

  /** A VXLAN port `name` on `node`'s br-int towards `remote`, with tunnel key `key` and, unless 4789, UDP port `dstPort`. */
  async addVxlan(node: string, name: string, remote: string, key: number, dstPort?: number): Promise<void> {
    const ovs = this.nodes.get(node)?.switch;
    if (!ovs) throw new OvsLabError(`no node ${node} in the lab`);
    await ovs.vsctl(
      "add-port",
      "br-int",
      name,
      "--",
      "set",
      "interface",
      name,
      "type=vxlan",
      `options:remote_ip=${remote}`,
      `options:key=${key}`,
      ...(dstPort !== undefined ? [`options:dst_port=${dstPort}`] : []),
    );
    await ovs.settle();
  }

  /** Stops every switch by pid, removes every namespace (and what runs in it) and the directory. Safe to call twice. */
  async remove(): Promise<void> {
    debug("Removing the %s lab of run %s…", this.prefix, this.runId);
    for (const node of this.nodes.values()) await node.switch.stop();
    for (const namespace of this.namespaces.splice(0).reverse()) await removeNamedNamespace(namespace);
    await rm(this.dir, { recursive: true, force: true });
    debug("Removed the %s lab of run %s", this.prefix, this.runId);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}

/**
 * Removes what the openvswitch and weave labs of runs no longer alive left on this host: their private
 * switches (stopped by the pids in their pid files, only when those pids still run that switch), their
 * namespaces (with whatever runs inside) and their directories. Returns what it removed, in words.
 */
export async function sweepOvsLabs(isRunAlive: (runId: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const found of parseOvsLabDirectories(entries).filter((entry) => !isRunAlive(entry.runId))) {
    const dir = join(tmpdir(), found.name);
    const nodes = await readdir(dir).catch(() => [] as string[]);
    for (const node of nodes)
      for (const daemon of ["ovs-vswitchd", "ovsdb-server"]) {
        const pid = await stopDaemonByPidFile(join(dir, node, `${daemon}.pid`), dir);
        if (pid !== undefined) removed.push(`${daemon} (pid ${pid}) of ${found.name}/${node}`);
      }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  const listed = await execa("ip", ["netns", "list"], { reject: false });
  for (const found of parseOvsLabNamespaces(String(listed.stdout)).filter((entry) => !isRunAlive(entry.runId))) {
    await removeNamedNamespace(found.name);
    removed.push(found.name);
  }
  return removed;
}
