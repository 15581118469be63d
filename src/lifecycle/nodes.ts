import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { execa } from "execa";
import { z } from "zod";
import { newRun, type RunIdentity } from "../core/labels.js";
import {
  freeSlot,
  MAX_NODES,
  NODE_DATA_ROOT,
  NODE_RUN_ROOT,
  nodeNamespaceRun,
  planGroup,
  UNDERLAY_BRIDGE,
  UNDERLAY_DEVICE,
  type GroupPlan,
  type NodePlan,
} from "../core/node-plan.js";
import { connectEngine } from "../runtime/engine-client.js";
import { withHostLock } from "../runtime/host-lock.js";
import { listNamespaces, removeNamedNamespace } from "../runtime/netns.js";
import { startNodeContainerd, stopNodeContainerd } from "../runtime/node-containerd.js";
import { startNodeEngine, stopNodeEngine, type NodeEngine } from "../runtime/node-engine.js";
import { isOwnerAlive, isProcessAlive } from "../runtime/owner.js";
import { loadConfig } from "./load-config.js";
import { ensureProbeImage, PROBE_REPOSITORY } from "./probe-image.js";

const debug = createDebug("netlab:engine");

export class NodesError extends Error {
  override name = "NodesError";
}

/** What a group's directory records before anything of it exists, so a sweep can always tell whose it is. */
const groupRecordSchema = z.object({
  runId: z.string().regex(/^[0-9a-f]{8}$/),
  owner: z.string(),
  /** `netlab nodes up`: the learner's until `netlab nodes down` or `netlab clean`, never a dead run's debris. */
  kept: z.boolean(),
  slot: z.number().int().min(0),
  count: z.number().int().min(1).max(MAX_NODES),
  pool: z.string(),
});
export type GroupRecord = z.infer<typeof groupRecordSchema>;

/** A group found on the machine: its record (undefined for debris whose record is gone) and its plan. */
export interface FoundGroup {
  record?: GroupRecord;
  plan: GroupPlan;
}

/** A group of node engines that answer, joined by an underlay; `await using` removes every part of it. */
export interface NodeGroup {
  runId: string;
  plan: GroupPlan;
  nodes: NodeEngine[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Each unset one is read from netlab's configuration (NETLAB_NODE_POOL, NETLAB_ENGINE_TIMEOUT_MS, NETLAB_IMAGE, DOCKER_HOST). */
export interface StartNodesOptions {
  /** The machine's engine: the probe image is saved from it into every node (nothing is ever pulled). */
  docker?: Dockerode;
  pool?: string;
  timeoutMs?: number;
  /** NETLAB_IMAGE, when the user set one. */
  image?: string;
  /** The lab's run, so its sweep removes the nodes; a run of their own otherwise. */
  run?: RunIdentity;
  signal?: AbortSignal;
}

function recordFile(runId: string): string {
  return join(NODE_RUN_ROOT, runId, "group.json");
}

function readRecord(runId: string): GroupRecord | undefined {
  try {
    return groupRecordSchema.parse(JSON.parse(readFileSync(recordFile(runId), "utf8")));
  } catch {
    return undefined;
  }
}

/**
 * Writes a group's record so that nobody ever sees its folder without one (a sweep takes such a folder for a
 * killed start's debris): a new group's folder appears by a rename, a record is replaced by a rename.
 */
function writeRecord(record: GroupRecord): void {
  const text = `${JSON.stringify(record, null, 2)}\n`;
  const dir = join(NODE_RUN_ROOT, record.runId);
  if (existsSync(dir)) {
    writeFileSync(`${recordFile(record.runId)}.new`, text);
    renameSync(`${recordFile(record.runId)}.new`, recordFile(record.runId));
    return;
  }
  const staging = join(NODE_RUN_ROOT, `.new-${record.runId}`);
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "group.json"), text);
  renameSync(staging, dir);
}

function runIdsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((entry) => /^[0-9a-f]{8}$/.test(entry));
  } catch {
    return [];
  }
}

/** Every group of nodes on this machine: from records, and from namespaces or directories a killed start left without one. */
export async function listNodeGroups(): Promise<FoundGroup[]> {
  const namespaces = await listNamespaces();
  const runIds = new Set([
    ...runIdsIn(NODE_RUN_ROOT),
    ...runIdsIn(NODE_DATA_ROOT),
    ...[...namespaces].flatMap((name) => nodeNamespaceRun(name) ?? []),
  ]);
  return [...runIds].sort().map((runId) => {
    const record = readRecord(runId);
    // Without a record, the paths and names are all a sweep needs: plan the most nodes a group can have.
    const plan = record
      ? planGroup(runId, record.count, record.pool, record.slot)
      : planGroup(runId, MAX_NODES, "0.0.0.0/20", 0);
    return { record, plan };
  });
}

/** Whether a found group is debris: no record, or a run that is over and did not keep it. */
export function isDeadGroup(group: FoundGroup, ownerAlive: (owner: string) => boolean = isOwnerAlive): boolean {
  return !group.record || (!group.record.kept && !ownerAlive(group.record.owner));
}

/** Whether a found group is what a finished `netlab nodes up` left for the learner. */
export function isKeptGroup(group: FoundGroup, ownerAlive: (owner: string) => boolean = isOwnerAlive): boolean {
  return group.record?.kept === true && !ownerAlive(group.record.owner);
}

/** Removes every part of a group: engines (and their containers), namespaces, the underlay, directories. */
async function removeGroup(plan: GroupPlan, timeoutMs: number): Promise<void> {
  debug("Removing node group %s…", plan.runId);
  const stopped = await Promise.allSettled(plan.nodes.map((node) => stopNodeEngine(node, timeoutMs)));
  // After the engines: a stopping engine asks containerd to stop its containers.
  stopped.push(...(await Promise.allSettled([stopNodeContainerd(plan.containerd, plan.underlayNamespace, timeoutMs)])));
  // Before anything is removed: a process that survived is found again by its namespace, and a data root still
  // mounted must not be deleted under its mounts.
  const failure = stopped.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) throw failure.reason;
  for (const node of plan.nodes) await removeNamedNamespace(node.name);
  await removeNamedNamespace(plan.underlayNamespace);
  await rm(plan.dataDir, { recursive: true, force: true });
  await rm(plan.dir, { recursive: true, force: true });
  debug("Removed node group %s", plan.runId);
}

/** Removes the groups `doomed` picks; says which it removed, and throws naming what it could not. */
export async function sweepNodes(doomed: (group: FoundGroup) => boolean, timeoutMs = 20_000): Promise<string[]> {
  const groups = (await listNodeGroups()).filter(doomed);
  const results = await Promise.allSettled(groups.map((group) => removeGroup(group.plan, timeoutMs)));
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [(result.reason as Error).message] : [],
  );
  if (failures.length > 0) throw new NodesError(`removing node groups left something: ${failures.join("; ")}`);
  return groups.flatMap((group) =>
    group.record ? group.plan.nodes.map((node) => node.name) : [`node group ${group.plan.runId}`],
  );
}

/** A program on PATH, or undefined. */
function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What the machine must offer before anything is made, each refusal in one line. */
export function checkMachine(): { dockerd: string; containerd: string } {
  if (process.getuid?.() !== 0)
    throw new NodesError("node engines need root: netlab makes network namespaces for them (run it with sudo)");
  const dockerd = onPath("dockerd");
  if (!dockerd)
    throw new NodesError(
      "no dockerd on PATH to start node engines with: install Debian's docker.io (or put dockerd on PATH)",
    );
  const containerd = onPath("containerd");
  if (!containerd)
    throw new NodesError(
      "no containerd on PATH for node engines to run containers with: install Debian's containerd (docker.io needs it)",
    );
  if (!onPath("nsenter"))
    throw new NodesError("no nsenter on PATH to start node engines in their namespaces: install Debian's util-linux");
  return { dockerd, containerd };
}

async function ip(args: string[], what: string): Promise<void> {
  const result = await execa("ip", args, { reject: false });
  if (result.exitCode !== 0)
    throw new NodesError(
      `${what} failed: ${String(result.stderr).trim() || `ip ${args.join(" ")} exited ${result.exitCode}`}`,
    );
}

/** The underlay: a Linux bridge in a namespace of netlab's; refuses a kernel without netns or vxlan. */
async function createUnderlay(plan: GroupPlan): Promise<void> {
  const namespace = plan.underlayNamespace;
  const made = await execa("ip", ["netns", "add", namespace], { reject: false });
  if (made.exitCode !== 0)
    throw new NodesError(`this machine cannot make network namespaces (ip netns add: ${String(made.stderr).trim()})`);
  await ip(["-n", namespace, "link", "set", "lo", "up"], `bringing up loopback in ${namespace}`);
  await ip(
    ["-n", namespace, "link", "add", UNDERLAY_BRIDGE, "type", "bridge"],
    `creating the underlay bridge in ${namespace}`,
  );
  await ip(["-n", namespace, "link", "set", UNDERLAY_BRIDGE, "up"], `bringing up the underlay bridge in ${namespace}`);
  // The operator's seat on the nodes' LAN: programs run there reach every node's engine over TCP.
  await ip(
    ["-n", namespace, "addr", "add", `${plan.operatorAddress}/24`, "dev", UNDERLAY_BRIDGE],
    `addressing the underlay bridge in ${namespace}`,
  );
  // Overlays across nodes are VXLAN: a kernel without it is refused here, before any engine starts.
  const vxlan = await execa(
    "ip",
    ["-n", namespace, "link", "add", "vxcheck", "type", "vxlan", "id", "42", "dstport", "4789", "dev", UNDERLAY_BRIDGE],
    { reject: false },
  );
  if (vxlan.exitCode !== 0)
    throw new NodesError(`the kernel lacks vxlan, which overlays across nodes need (${String(vxlan.stderr).trim()})`);
  await ip(["-n", namespace, "link", "del", "vxcheck"], `removing the vxlan check link in ${namespace}`);
}

/** The node's namespace and its link to the underlay bridge, addressed from the group's underlay. */
async function plugNode(plan: GroupPlan, node: NodePlan): Promise<void> {
  await ip(["netns", "add", node.name], `creating namespace ${node.name}`);
  await ip(["-n", node.name, "link", "set", "lo", "up"], `bringing up loopback in ${node.name}`);
  await ip(
    [
      "-n",
      plan.underlayNamespace,
      "link",
      "add",
      node.bridgePort,
      "type",
      "veth",
      "peer",
      "name",
      UNDERLAY_DEVICE,
      "netns",
      node.name,
    ],
    `linking ${node.name} to the underlay`,
  );
  await ip(
    ["-n", plan.underlayNamespace, "link", "set", node.bridgePort, "master", UNDERLAY_BRIDGE, "up"],
    `plugging ${node.name} into the underlay bridge`,
  );
  await ip(
    ["-n", node.name, "addr", "add", `${node.underlayAddress}/${node.underlayPrefix}`, "dev", UNDERLAY_DEVICE],
    `addressing ${node.name}`,
  );
  await ip(["-n", node.name, "link", "set", UNDERLAY_DEVICE, "up"], `bringing up ${node.name}'s underlay link`);
}

/** `docker save` of the probe image (the user's NETLAB_IMAGE when set), once for every node. */
async function probeArchive(
  docker: Dockerode,
  image: string | undefined,
): Promise<{ archive: Buffer; tag: string; latest: boolean }> {
  const probe = await ensureProbeImage(docker, { configured: image });
  const stream = await docker.getImage(probe.tag).get();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { archive: Buffer.concat(chunks), tag: probe.tag, latest: probe.source === "netlab-busybox" };
}

/**
 * Starts `count` node engines joined by an underlay, each with the probe image. Nothing is left when it
 * fails or is aborted; once started, `stop()` (or `await using`) removes every part.
 */
export async function startNodes(count: number, given: StartNodesOptions = {}): Promise<NodeGroup> {
  const { dockerd, containerd } = checkMachine();
  const config = loadConfig();
  const timeoutMs = given.timeoutMs ?? config.engineTimeoutMs;
  const options = {
    ...given,
    pool: given.pool ?? config.nodePool,
    timeoutMs,
    image: given.image ?? config.image,
    docker: given.docker ?? (await connectEngine(timeoutMs)),
  };
  const run = options.run ?? newRun();
  const image = await probeArchive(options.docker, options.image);
  const plan = await withHostLock("address-pools", async () => {
    // A group's names and paths are its run's: a second group of a live run would take the first's (and its
    // cleanup would remove the first), so it is refused before anything is made.
    if (readRecord(run.runId))
      throw new NodesError(
        `run ${run.runId} already has a group of nodes (${recordFile(run.runId)}): one group per run, stop it first`,
      );
    const used = (await listNodeGroups()).flatMap((group) => (group.record ? [group.record.slot] : []));
    const slot = freeSlot(options.pool, used);
    if (slot === undefined)
      throw new NodesError(
        `every slot of NETLAB_NODE_POOL ${options.pool} is taken by a group of nodes: "netlab nodes down" or "netlab clean" frees them`,
      );
    writeRecord({ runId: run.runId, owner: run.owner, kept: false, slot, count, pool: options.pool });
    return planGroup(run.runId, count, options.pool, slot);
  });
  const stop = () => removeGroup(plan, options.timeoutMs);
  debug("Starting %d node(s) of run %s on %s…", count, run.runId, plan.underlay);
  try {
    await createUnderlay(plan);
    await startNodeContainerd(plan.containerd, plan.underlayNamespace, {
      timeoutMs: options.timeoutMs,
      containerd,
      signal: options.signal,
    });
    const interrupted = () => {
      if (options.signal?.aborted) throw new NodesError(`starting nodes of run ${run.runId} was interrupted`);
    };
    // Every node settles before a failure is thrown: a removal that ran while another node was still starting
    // would miss the namespace or engine that node made after it looked.
    const settled = await Promise.allSettled(
      plan.nodes.map(async (node) => {
        interrupted();
        await plugNode(plan, node);
        interrupted();
        const engine = await startNodeEngine(node, { timeoutMs: options.timeoutMs, dockerd, signal: options.signal });
        await engine.loadImage(image.archive);
        if (image.latest) await engine.docker.getImage(image.tag).tag({ repo: PROBE_REPOSITORY, tag: "latest" });
        return engine;
      }),
    );
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    const nodes = settled.map((result) => (result as PromiseFulfilledResult<NodeEngine>).value);
    interrupted();
    debug("Started %d node(s) of run %s", count, run.runId);
    return { runId: run.runId, plan, nodes, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop().catch((cleanup: Error) => debug("Cleaning up node group %s failed: %s", run.runId, cleanup.message));
    throw error;
  }
}

/** Marks a started group the learner's: no sweep of dead runs takes it, only `nodes down` or `netlab clean`. */
export function keepNodes(group: NodeGroup): void {
  const record = readRecord(group.runId);
  if (!record) throw new NodesError(`node group ${group.runId} has no record in ${recordFile(group.runId)}`);
  writeRecord({ ...record, kept: true });
}

/** Whether a node's engine runs: its pid file names a live process. */
export function isPidFileAlive(pidFile: string): boolean {
  try {
    return isProcessAlive(Number(readFileSync(pidFile, "utf8").trim()));
  } catch {
    return false;
  }
}
