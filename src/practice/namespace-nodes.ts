import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { CniCluster, cniPlan, cniRefusal } from "../runtime/cni.js";
import { FlannelCluster, flannelPlan, VTEP, type VtepView } from "../runtime/flannel.js";
import { listNamespaces, removeNamedNamespace } from "../runtime/netns.js";
import { missingTools } from "../runtime/packet-capture.js";
import { OvsSwitch, stopDaemonByPidFile } from "../runtime/ovs-switch.js";
import { PluginNamespaces } from "../runtime/plugin-namespaces.js";
import { recordNamespaces } from "./state-file.js";

/**
 * Where exercises on namespaces-as-nodes keep their files: `/run/netlab-practice/pNN`, one folder per exercise
 * (a private Open vSwitch's database, sockets and logs in `ovs/`, the pods' web root in `www/`). Fixed, so a task
 * and a spec can name the switch (`switch: /run/netlab-practice/p22/ovs`); reset removes it whole.
 */
const PRACTICE_DIR = "/run/netlab-practice";

export function practiceDir(exercise: number): string {
  return join(PRACTICE_DIR, `p${exercise}`);
}

/** The run directory of an exercise's private Open vSwitch (OVS_RUNDIR): its bridges' BRIDGE.mgmt sockets are here. */
export function practiceSwitchDir(exercise: number): string {
  return join(practiceDir(exercise), "ovs");
}

export class NamespaceNodeError extends Error {
  override name = "NamespaceNodeError";
}

/** What an `ovs-node` prepare step asks for. */
export interface OvsNodeStep {
  "ovs-node": string;
  bridge: string;
  pods: Record<string, string>;
  serve: number[];
}

/** What a `flannel-nodes` prepare step asks for. */
export interface FlannelNodesStep {
  "flannel-nodes": string;
  pool: string;
  serve: number[];
  unprogrammed: string;
}

/** What a `cni-nodes` prepare step asks for. */
export interface CniNodesStep {
  "cni-nodes": string;
  pool: string;
  pods: string[];
  serve: number[];
}

/** A pod's veth end on its node: `v-` and the pod's name (a port of the node's bridge). */
export function podPortOf(pod: string): string {
  return `v-${pod}`;
}

/** Each node's flannel.1 MAC, fixed in advance (`6e:NN:00:00:00:0i`) so a task can name it. */
export function vtepMacOf(exercise: number, nodeIndex: number): string {
  const byte = (value: number) => value.toString(16).padStart(2, "0");
  return `6e:${byte(exercise % 256)}:00:00:00:${byte(nodeIndex)}`;
}

/** The namespaces a prepare step makes, by name: reset removes exactly these (they must be listed in `names`). */
export function namespacesOf(step: OvsNodeStep | FlannelNodesStep | CniNodesStep): string[] {
  if ("ovs-node" in step) return [step["ovs-node"], ...Object.keys(step.pods)];
  if ("cni-nodes" in step) {
    const prefix = step["cni-nodes"];
    return [
      `${prefix}-u`,
      ...cniPlan(step.pool).nodes.map((node) => `${prefix}-${node.tag}`),
      ...step.pods.map((pod) => `${prefix}-${pod}`),
    ];
  }
  const prefix = step["flannel-nodes"];
  const plan = flannelPlan(step.pool, 2, 1);
  return [
    `${prefix}-u`,
    ...plan.nodes.flatMap((node) => [`${prefix}-${node.tag}`, ...node.pods.map((pod) => `${prefix}-${pod.tag}`)]),
  ];
}

async function ip(args: string[]): Promise<string> {
  const result = await execa("ip", args, { reject: false, stdin: "ignore" });
  if (result.exitCode !== 0)
    throw new NamespaceNodeError(
      `"ip ${args.join(" ")}" failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`,
    );
  return String(result.stdout);
}

/** busybox httpd on each port inside `namespace`, serving the exercise's web root (it daemonizes; its namespace's removal ends it). */
async function serve(namespace: string, ports: number[], exercise: number): Promise<void> {
  const root = join(practiceDir(exercise), "www");
  await mkdir(root, { recursive: true });
  for (const port of ports) await ip(["netns", "exec", namespace, "busybox", "httpd", "-p", String(port), "-h", root]);
}

/** The host tools a step runs, and the Debian package each comes in. */
const TOOLS: Record<"ovs" | "flannel" | "cni", Record<string, string>> = {
  ovs: Object.fromEntries(
    ["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"].map((tool) => [
      tool,
      "openvswitch-switch",
    ]),
  ),
  flannel: { bridge: "iproute2" },
  cni: {},
};

/** Refuses, in the learner's words, a step whose tools this host lacks (before anything is made). */
async function refuseMissingTools(kind: keyof typeof TOOLS): Promise<void> {
  const tools: Record<string, string> = { ...TOOLS[kind], busybox: "busybox" };
  const missing = missingTools(Object.keys(tools));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((tool) => tools[tool]!))];
    throw new NamespaceNodeError(
      `this exercise needs ${missing.join(", ")}, not installed: sudo apt-get install --no-remove ${packages.join(" ")} (or npm run provision)`,
    );
  }
  if (kind === "cni") {
    const refusal = await cniRefusal();
    if (refusal) throw new NamespaceNodeError(`this exercise needs ${refusal}`);
  }
}

/** A half-made step is undone whole (switch stopped, namespaces and folder removed), so a new start begins clean. */
async function wholeOrNothing(
  step: OvsNodeStep | FlannelNodesStep | CniNodesStep,
  exercise: number,
  build: () => Promise<void>,
): Promise<void> {
  try {
    await build();
  } catch (error) {
    if ("ovs-node" in step) await stopPracticeSwitch(exercise);
    for (const namespace of namespacesOf(step)) await removeNamedNamespace(namespace);
    await removePracticeDir(exercise);
    throw error;
  }
}

/** Already prepared by an earlier start (its folder is netlab's mark), or a learner's own namespaces: refuse those. */
async function alreadyThere(names: string[], exercise: number, what: string): Promise<string | undefined> {
  const present = await listNamespaces();
  const there = names.filter((name) => present.has(name));
  if (there.length === 0) return undefined;
  if (!existsSync(practiceDir(exercise)))
    throw new NamespaceNodeError(
      `namespace ${there.join(", ")} exists and netlab did not make it for exercise ${exercise}: "netlab practice reset ${exercise}" removes it (by that exact name), then start again`,
    );
  return `${what} (already there)`;
}

/**
 * A node as a namespace with a private Open vSwitch (userspace datapath, userspace TSO so TCP's checksums are
 * right on one bridge) and one bridge, and pods: namespaces whose eth0 is a veth to a port of that bridge,
 * each serving on `serve` ports. The switch's files live in the exercise's folder.
 */
export async function prepareOvsNode(step: OvsNodeStep, exercise: number): Promise<string> {
  const node = step["ovs-node"];
  const dir = practiceSwitchDir(exercise);
  const words = `node ${node} with a private Open vSwitch (run directory ${dir}), bridge ${step.bridge}, pods ${Object.entries(
    step.pods,
  )
    .map(([pod, cidr]) => `${pod} ${cidr}`)
    .join(", ")}${step.serve.length ? `, each serving on ${step.serve.join(", ")}` : ""}`;
  const earlier = await alreadyThere(namespacesOf(step), exercise, words);
  if (earlier) return earlier;
  await refuseMissingTools("ovs");
  await wholeOrNothing(step, exercise, () => buildOvsNode(step, exercise));
  return words;
}

async function buildOvsNode(step: OvsNodeStep, exercise: number): Promise<void> {
  const node = step["ovs-node"];
  const dir = practiceSwitchDir(exercise);
  await mkdir(practiceDir(exercise), { recursive: true, mode: 0o700 });
  await ip(["netns", "add", node]);
  await ip(["-n", node, "link", "set", "lo", "up"]);
  const ovs = new OvsSwitch(node, dir);
  await ovs.start({ tso: true });
  await ovs.vsctl("add-br", step.bridge, "--", "set", "bridge", step.bridge, "datapath_type=netdev");
  for (const [pod, cidr] of Object.entries(step.pods)) {
    await ip(["netns", "add", pod]);
    await ip(["-n", pod, "link", "set", "lo", "up"]);
    const port = podPortOf(pod);
    await ip(["-n", node, "link", "add", "name", port, "type", "veth", "peer", "name", "eth0", "netns", pod]);
    await ip(["-n", node, "link", "set", port, "up"]);
    await ip(["-n", pod, "addr", "add", cidr, "dev", "eth0"]);
    await ip(["-n", pod, "link", "set", "eth0", "up"]);
    await ovs.vsctl("add-port", step.bridge, port);
    await serve(pod, step.serve, exercise);
  }
  await ovs.settle();
}

/** Stops an exercise's private switch by the pids in its pid files (only when they still run that switch). */
export async function stopPracticeSwitch(exercise: number): Promise<string[]> {
  const dir = practiceSwitchDir(exercise);
  const stopped: string[] = [];
  for (const daemon of ["ovs-vswitchd", "ovsdb-server"]) {
    const pid = await stopDaemonByPidFile(join(dir, `${daemon}.pid`), dir);
    if (pid !== undefined) stopped.push(`${daemon} (pid ${pid})`);
  }
  return stopped;
}

/** Removes the exercise's folder (the switch's files, the web root). */
export async function removePracticeDir(exercise: number): Promise<boolean> {
  const there = existsSync(practiceDir(exercise));
  await rm(practiceDir(exercise), { recursive: true, force: true });
  return there;
}

/**
 * The lab's namespaces named for an exercise instead of a run: `<prefix>-<tag>` (p23-n1, p23-n1a, p23-u), their
 * files (host-local's data dirs) in the exercise's folder.
 */
class ExerciseNamespaces extends PluginNamespaces {
  private readonly exercisePrefix: string;
  private readonly folder: string;

  constructor(exercisePrefix: string, exercise: number) {
    // The run id is never used in a name: name() is the exercise's own.
    super("nlp", "00000000");
    this.exercisePrefix = exercisePrefix;
    this.folder = practiceDir(exercise);
  }

  override name(tag: string): string {
    return `${this.exercisePrefix}-${tag}`;
  }

  override get tempDir(): string {
    return this.folder;
  }
}

/** flannel's cluster whose VTEPs carry MACs fixed in advance, so a task can name node 2's (flanneld takes the kernel's). */
class ExerciseFlannel extends FlannelCluster {
  private readonly fixedMacs: Map<string, string>;

  constructor(spaces: PluginNamespaces, pool: string, fixedMacs: Map<string, string>) {
    super(spaces, flannelPlan(pool, 2, 1));
    this.fixedMacs = fixedMacs;
  }

  /** The lease's VtepMAC is the fixed one, which addVtep then keeps for the node's peers. */
  override async vtep(tag: string): Promise<VtepView> {
    const view = await super.vtep(tag);
    return { ...view, mac: this.fixedMacs.get(tag) ?? view.mac };
  }
}

/**
 * flannel's VXLAN backend on two nodes (namespaces on an underlay, one pod each, every pod serving on `serve`),
 * programmed as flanneld does, except that node `unprogrammed` was never told of its peers: no route,
 * neighbour or FDB entry for them, which is the learner's to add.
 */
export async function prepareFlannelNodes(step: FlannelNodesStep, exercise: number): Promise<string> {
  const prefix = step["flannel-nodes"];
  const names = namespacesOf(step);
  const words = `flannel nodes ${names.filter((name) => /-n\d+$/.test(name)).join(", ")} on underlay ${prefix}-u, pods ${names.filter((name) => /-n\d+[a-z]$/.test(name)).join(", ")}; ${prefix}-${step.unprogrammed} knows no peer yet`;
  const earlier = await alreadyThere(names, exercise, words);
  if (earlier) return earlier;
  await refuseMissingTools("flannel");
  await wholeOrNothing(step, exercise, () => buildFlannelNodes(step, exercise));
  return words;
}

async function buildFlannelNodes(step: FlannelNodesStep, exercise: number): Promise<void> {
  const prefix = step["flannel-nodes"];
  await mkdir(practiceDir(exercise), { recursive: true, mode: 0o700 });
  const plan = flannelPlan(step.pool, 2, 1);
  const macs = new Map(plan.nodes.map((node, index) => [node.tag, vtepMacOf(exercise, index + 1)]));
  const cluster = new ExerciseFlannel(new ExerciseNamespaces(prefix, exercise), step.pool, macs);
  await cluster.build();
  for (const node of plan.nodes) {
    await cluster.addVtep(node.tag);
    await cluster.spaces.ip(node.tag, "link", "set", VTEP, "address", macs.get(node.tag)!);
  }
  for (const node of plan.nodes)
    for (const peer of plan.nodes)
      if (peer !== node && node.tag !== step.unprogrammed) await cluster.addPeer(node.tag, peer.tag);
  for (const pod of plan.nodes.flatMap((node) => node.pods)) await serve(`${prefix}-${pod.tag}`, step.serve, exercise);
}

/**
 * Two nodes as namespaces on an underlay, routing each other's pod CIDR (no overlay), and pods added the way a
 * container runtime adds them: the CNI bridge plugin (with host-local, data dir per node) called in the node's
 * namespace. A pod's tag starts with its node's (`n2a` is on n2); every pod serves on `serve` ports.
 */
export async function prepareCniNodes(step: CniNodesStep, exercise: number): Promise<string> {
  const prefix = step["cni-nodes"];
  const plan = cniPlan(step.pool);
  const words = `nodes ${plan.nodes.map((node) => `${prefix}-${node.tag} (pod CIDR ${node.subnet}, cni0 ${node.gateway})`).join(", ")} on underlay ${prefix}-u${step.pods.length ? `, pods ${step.pods.map((pod) => `${prefix}-${pod}`).join(", ")} added with the bridge plugin` : ""}${step.serve.length && step.pods.length ? `, serving on ${step.serve.join(", ")}` : ""}`;
  const earlier = await alreadyThere(namespacesOf(step), exercise, words);
  if (earlier) return earlier;
  await refuseMissingTools("cni");
  await wholeOrNothing(step, exercise, () => buildCniNodes(step, exercise));
  return words;
}

async function buildCniNodes(step: CniNodesStep, exercise: number): Promise<void> {
  const prefix = step["cni-nodes"];
  const plan = cniPlan(step.pool);
  await mkdir(practiceDir(exercise), { recursive: true, mode: 0o700 });
  const cluster = new CniCluster(new ExerciseNamespaces(prefix, exercise), plan);
  await cluster.build();
  for (const pod of step.pods) {
    const node = /^n\d+/.exec(pod)?.[0];
    if (!node || !plan.nodes.some((each) => each.tag === node))
      throw new NamespaceNodeError(`pod ${pod} names no node of the exercise (its tag starts with n1 or n2)`);
    const { add } = await cluster.addPod(node, pod);
    if (!add.ok) throw new NamespaceNodeError(`CNI ADD of pod ${prefix}-${pod} failed: ${add.error}`);
    await serve(`${prefix}-${pod}`, step.serve, exercise);
  }
}
