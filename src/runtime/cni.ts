import { access, readdir } from "node:fs/promises";
import { join } from "node:path";
import { hostAt, subnetAt } from "../core/cidr.js";
import { PluginNamespaces, sweepPluginNamespaces } from "./plugin-namespaces.js";

/** The pods lab's namespaces: `nlk-<runId>-<pid>-<tag>` (u: the underlay, n1/n2: nodes, n1a…: pods). */
export const PODS_PREFIX = "nlk";
/** Where Debian's containernetworking-plugins puts the plugins (CNI_PATH). */
export const CNI_PATH = "/usr/lib/cni";
/** What a container runtime passes: plugins 1.1.1 refuse arguments they do not know unless told to ignore them. */
const CNI_ARGS = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default";
const CNI_VERSION = "0.4.0";

export class CniError extends Error {
  override name = "CniError";
}

export interface CniNode {
  tag: string;
  /** The node's pod CIDR: host-local's range. */
  subnet: string;
  gateway: string;
  underlayAddress: string;
}

export interface CniPlan {
  underlay: string;
  nodes: CniNode[];
  /** The Services' range (kube-apiserver's --service-cluster-ip-range), outside the pod network and the underlay. */
  serviceSubnet: string;
  /** The ClusterIP of the Service by hand. */
  clusterIp: string;
}

/** Addresses from `pool` (NETLAB_LAB_POOL): the underlay its first /24, the pod network its second /20, services its fifth /24. */
export function cniPlan(pool: string, nodeCount = 2): CniPlan {
  const bits = Number(pool.split("/")[1]);
  if (!(bits <= 20)) throw new CniError(`NETLAB_LAB_POOL ${pool} is narrower than /20: the pods lab needs a /20`);
  const underlay = subnetAt(pool, 24, 0);
  const network = subnetAt(pool, 20, 1);
  const serviceSubnet = subnetAt(pool, 24, 4);
  return {
    underlay,
    serviceSubnet,
    clusterIp: hostAt(serviceSubnet, 10),
    nodes: Array.from({ length: nodeCount }, (_, at) => {
      const subnet = subnetAt(network, 24, at + 1);
      return { tag: `n${at + 1}`, subnet, gateway: hostAt(subnet, 1), underlayAddress: hostAt(underlay, at + 1) };
    }),
  };
}

/** One plugin of a conflist, as its JSON says. */
export type PluginConfig = Record<string, unknown> & { type: string };

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: PluginConfig[];
}

/** What a container runtime writes to /etc/cni/net.d for a node: bridge with host-local, then portmap. */
export function podConflist(node: CniNode, options: { dataDir: string; ipMasq: boolean }): Conflist {
  return {
    cniVersion: CNI_VERSION,
    name: "podnet",
    plugins: [
      {
        type: "bridge",
        bridge: "cni0",
        isGateway: true,
        ipMasq: options.ipMasq,
        ipam: {
          type: "host-local",
          dataDir: options.dataDir,
          ranges: [[{ subnet: node.subnet, gateway: node.gateway }]],
          routes: [{ dst: "0.0.0.0/0" }],
        },
      },
      { type: "portmap", capabilities: { portMappings: true }, snat: true },
    ],
  };
}

export type CniCommand = "ADD" | "DEL" | "CHECK";

/** One plugin call: what went in (config, environment) and what came out (result or the plugin's error). */
export interface PluginCall {
  plugin: string;
  command: CniCommand;
  env: Record<string, string>;
  config: Record<string, unknown>;
  exitCode: number;
  result?: Record<string, unknown>;
  error?: { code?: number; msg?: string; details?: string };
  stderr: string;
}

/** The outcome of a conflist's command: every plugin call in order; the first failure ends it, as libcni does. */
export interface ChainResult {
  ok: boolean;
  calls: PluginCall[];
  /** The last plugin's result (ADD), which the runtime caches for DEL and CHECK. */
  result?: Record<string, unknown>;
  /** The failing plugin's words. */
  error?: string;
}

/** A portmap runtime capability: a hostPort the node DNATs to the pod. */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
}

export interface PodHandle {
  tag: string;
  node: string;
  containerId: string;
  namespace: string;
  conflist: Conflist;
  portMappings: PortMapping[];
  /** The ADD result the runtime keeps for DEL and CHECK (libcni's cache). */
  result?: Record<string, unknown>;
}

/** The pod's IPv4 address (without prefix) from a CNI result. */
export function addressOf(result: Record<string, unknown> | undefined): string | undefined {
  const ips = (result?.ips ?? []) as Array<{ address?: string }>;
  return ips.find((ip) => ip.address?.includes("."))?.address?.split("/")[0];
}

/**
 * Pods wired by CNI plugins called as a container runtime calls them: each plugin of a conflist run with
 * CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH (and CNI_ARGS) in the environment and its
 * config on stdin, the previous plugin's result as `prevResult`, inside the node's network namespace. Nodes
 * and pods are namespaces of the lab's; host-local keeps its leases in the lab's temp dir, one per node.
 */
export class CniCluster {
  readonly plan: CniPlan;
  readonly spaces: PluginNamespaces;
  readonly pods = new Map<string, PodHandle>();

  constructor(spaces: PluginNamespaces, plan: CniPlan) {
    this.spaces = spaces;
    this.plan = plan;
  }

  node(tag: string): CniNode {
    const found = this.plan.nodes.find((node) => node.tag === tag);
    if (!found) throw new CniError(`no node "${tag}" in the plan`);
    return found;
  }

  pod(tag: string): PodHandle {
    const found = this.pods.get(tag);
    if (!found) throw new CniError(`no pod "${tag}" was added`);
    return found;
  }

  /** host-local's data dir for `node`: each node keeps its own leases, as /var/lib/cni/networks is per machine. */
  dataDir(node: string): string {
    return join(this.spaces.tempDir, `ipam-${node}`);
  }

  /** The addresses host-local holds for `node` (its files named after each leased address). */
  async leases(node: string): Promise<string[]> {
    const files = await readdir(join(this.dataDir(node), "podnet")).catch(() => [] as string[]);
    return files.filter((file) => /^\d+\.\d+\.\d+\.\d+$/.test(file)).sort();
  }

  /**
   * The nodes on an underlay bridge, each routing the other's pod CIDR via its underlay address (what a cloud's
   * routes or flannel's host-gw backend give): no overlay, so what leaves a node is what its pod sent.
   */
  async build(): Promise<void> {
    const { spaces, plan } = this;
    await spaces.makeTempDir();
    await spaces.addUnderlay(plan.underlay, plan.nodes);
    for (const node of plan.nodes)
      for (const peer of plan.nodes)
        if (peer !== node) await spaces.ip(node.tag, "route", "add", peer.subnet, "via", peer.underlayAddress);
  }

  /** One plugin call inside the node's namespace, as a runtime makes it. */
  async callPlugin(
    node: string,
    command: CniCommand,
    pod: Pick<PodHandle, "containerId" | "namespace">,
    config: Record<string, unknown> & { type: string },
    options: { args?: string } = {},
  ): Promise<PluginCall> {
    const env = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: pod.containerId,
      CNI_NETNS: `/run/netns/${pod.namespace}`,
      CNI_IFNAME: "eth0",
      CNI_PATH: CNI_PATH,
      CNI_ARGS: options.args ?? CNI_ARGS,
    };
    const output = await this.spaces.tryExec(node, [join(CNI_PATH, config.type)], {
      input: JSON.stringify(config),
      env,
    });
    const parsed = output.stdout.trim() ? (JSON.parse(output.stdout) as Record<string, unknown>) : undefined;
    const failed = output.exitCode !== 0;
    return {
      plugin: config.type,
      command,
      env,
      config,
      exitCode: output.exitCode,
      ...(failed ? { error: (parsed ?? { msg: output.stderr.trim() }) as PluginCall["error"] } : {}),
      ...(!failed && parsed ? { result: parsed } : {}),
      stderr: output.stderr.trim(),
    };
  }

  /**
   * A conflist's command as libcni runs it: ADD each plugin in order, each given the previous result; DEL in
   * reverse order and CHECK in order, each given the cached ADD result. Capabilities become `runtimeConfig`.
   */
  async chain(pod: PodHandle, command: CniCommand, options: { args?: string } = {}): Promise<ChainResult> {
    const plugins = command === "DEL" ? [...pod.conflist.plugins].reverse() : pod.conflist.plugins;
    const calls: PluginCall[] = [];
    let previous = command === "ADD" ? undefined : pod.result;
    for (const plugin of plugins) {
      const wantsPorts = (plugin.capabilities as Record<string, boolean> | undefined)?.portMappings === true;
      const config = {
        cniVersion: pod.conflist.cniVersion,
        name: pod.conflist.name,
        ...plugin,
        ...(wantsPorts ? { runtimeConfig: { portMappings: pod.portMappings } } : {}),
        ...(previous ? { prevResult: previous } : {}),
      };
      const call = await this.callPlugin(pod.node, command, pod, config, options);
      calls.push(call);
      if (call.exitCode !== 0)
        return { ok: false, calls, error: `${call.plugin} ${command}: ${call.error?.msg ?? call.stderr}` };
      if (command === "ADD") previous = call.result;
    }
    return { ok: true, calls, ...(command === "ADD" ? { result: previous } : {}) };
  }

  /** A pod sandbox: its namespace made, then the conflist's ADD. The result is kept for DEL and CHECK. */
  async addPod(
    node: string,
    tag: string,
    options: { ipMasq?: boolean; portMappings?: PortMapping[]; args?: string } = {},
  ): Promise<{ pod: PodHandle; add: ChainResult }> {
    const namespace = this.pods.get(tag)?.namespace ?? (await this.spaces.add(tag));
    const pod: PodHandle = {
      tag,
      node,
      containerId: `${this.spaces.runId}${tag}`.padEnd(16, "0"),
      namespace,
      conflist: podConflist(this.node(node), { dataDir: this.dataDir(node), ipMasq: options.ipMasq ?? false }),
      portMappings: options.portMappings ?? [],
    };
    const add = await this.chain(pod, "ADD", { args: options.args });
    if (add.ok) pod.result = add.result;
    this.pods.set(tag, pod);
    return { pod, add };
  }

  /** The nat table of a node, as `iptables -t nat -S` prints it. */
  async natRules(node: string): Promise<string[]> {
    return (await this.spaces.exec(node, ["iptables", "-w", "-t", "nat", "-S"])).split("\n").filter(Boolean);
  }

  remove(): Promise<void> {
    return this.spaces.remove();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}

/** The pods lab's namespaces for run `runId`, made empty: build() fills them. */
export function cniCluster(runId: string, pool: string): CniCluster {
  return new CniCluster(new PluginNamespaces(PODS_PREFIX, runId), cniPlan(pool));
}

/** Why the CNI claims cannot run here (the plugins are missing), or undefined when they can. */
export async function cniRefusal(dir: string = CNI_PATH): Promise<string | undefined> {
  const missing: string[] = [];
  for (const plugin of ["bridge", "host-local", "portmap"])
    await access(join(dir, plugin)).catch(() => missing.push(join(dir, plugin)));
  return missing.length > 0
    ? `the CNI plugins are not installed (${missing.join(", ")}: no such file): install containernetworking-plugins with "npm run provision" or "sudo apt-get install --no-remove containernetworking-plugins"`
    : undefined;
}

/** Removes the pods lab's namespaces (and the servers in them) and temp dirs of every run `isRunAlive` says is over. */
export function sweepPods(isRunAlive: (runId: string) => boolean): Promise<string[]> {
  return sweepPluginNamespaces(PODS_PREFIX, isRunAlive);
}
