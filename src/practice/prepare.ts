import type Dockerode from "dockerode";
import createDebug from "debug";
import { isPreparedFor, practiceLabels } from "../core/labels.js";
import { withNetworkChurn } from "../runtime/churn-lock.js";
import { withHostLock } from "../runtime/host-lock.js";
import { createParentLinkNamed, type ParentLinkNames } from "../runtime/parent-link.js";
import { execa } from "execa";
import { listNamespaces } from "../runtime/netns.js";
import type { PrepareStep } from "./exercise-schema.js";
import type { ExerciseNodes } from "./exercise-nodes.js";
import type { Exercise } from "./load-exercise.js";
import { prepareCniNodes, prepareFlannelNodes, prepareOvsNode } from "./namespace-nodes.js";

const debug = createDebug("netlab:practice");

export class PrepareError extends Error {
  override name = "PrepareError";
}

/** A practice parent link's names: the host end as the exercise names it, its neighbour in a namespace of netlab's. */
export function practiceParentLink(name: string): ParentLinkNames {
  return { parent: name, peer: `${name}-nb`, namespace: `netlab-practice-${name}` };
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

async function labelsOf(
  inspect: () => Promise<{
    Labels?: Record<string, string> | null;
    Config?: { Labels?: Record<string, string> | null };
  }>,
): Promise<Record<string, string> | null | undefined> {
  try {
    const info = await inspect();
    return info.Config?.Labels ?? info.Labels ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** An object of that name that is not netlab's for this exercise would be the learner's: never touch it. */
function refuseForeign(kind: string, name: string, exercise: number): never {
  throw new PrepareError(
    `a ${kind} named ${name} exists and netlab did not make it for exercise ${exercise}: "netlab practice reset ${exercise}" removes it (by that exact name), then start again`,
  );
}

/** A rule inserted with -I, checked for with -C (the same words): an earlier start's copy is kept, not doubled. */
function checkOf(rule: string): string[] {
  return rule.split(/\s+/).map((word) => (word === "-I" ? "-C" : word));
}

async function prepareNodeRule(rule: string, namespace: string, node: string): Promise<string> {
  const inNode = (args: string[]) =>
    execa("ip", ["netns", "exec", namespace, "iptables", "-w", ...args], { reject: false });
  if ((await inNode(checkOf(rule))).exitCode === 0)
    return `something in ${node}'s network namespace (${namespace}; already there) that you will have to find`;
  const inserted = await inNode(rule.split(/\s+/));
  if (inserted.exitCode !== 0)
    throw new PrepareError(
      `iptables ${rule} in ${node}'s namespace ${namespace} failed: ${String(inserted.stderr).trim()}`,
    );
  // Not said what: finding it is the exercise.
  return `something in ${node}'s network namespace (${namespace}) that you will have to find`;
}

/** The engine a step runs on: its node's, or the machine's. */
function engineFor(
  docker: Dockerode,
  step: PrepareStep,
  nodes: ExerciseNodes | undefined,
  exercise: number,
): Dockerode {
  if (!("node" in step) || step.node === undefined) return docker;
  const node = nodes?.nodes[step.node - 1];
  if (!node) throw new PrepareError(`exercise ${exercise} prepares on node ${step.node}, which is not running`);
  return node.docker;
}

async function prepareOne(
  machine: Dockerode,
  exercise: Exercise,
  step: PrepareStep,
  image: string,
  nodes: ExerciseNodes | undefined,
): Promise<string> {
  const labels = practiceLabels(exercise.number);
  if ("ovs-node" in step) return prepareOvsNode(step, exercise.number);
  if ("flannel-nodes" in step) return prepareFlannelNodes(step, exercise.number);
  if ("cni-nodes" in step) return prepareCniNodes(step, exercise.number);
  if ("nodes" in step) {
    if (!nodes) throw new PrepareError(`exercise ${exercise.number} needs its ${step.nodes} node(s) started first`);
    if (nodes.earlier)
      return `${step.nodes} node engine(s) of netlab's (already running: an earlier start started them; reset removes them)`;
    return `${step.nodes} node engine(s) of netlab's${step.swarm ? ", one swarm (node1 manages it)" : ""}, each its own dockerd in its own network namespace, joined by an underlay ${nodes.plan.underlay} (reset removes them)`;
  }
  if ("node-iptables" in step) {
    const node = nodes?.plan.nodes[step.node - 1];
    if (!node)
      throw new PrepareError(`exercise ${exercise.number} prepares on node ${step.node}, which is not running`);
    // Nodes an earlier start left keep what the learner did to them since: a fault they lifted stays lifted.
    if (nodes?.earlier)
      return `something in ${node.hostname}'s network namespace (${node.name}; from the earlier start)`;
    return prepareNodeRule(step["node-iptables"], node.name, node.hostname);
  }
  const docker = engineFor(machine, step, nodes, exercise.number);
  const where = "node" in step && step.node !== undefined ? ` on node${step.node}` : "";
  if ("parent-link" in step) {
    const names = practiceParentLink(step["parent-link"]);
    const there = await execa("ip", ["link", "show", names.parent], { reject: false });
    if (there.exitCode === 0) {
      const ours = (await listNamespaces()).has(names.namespace);
      if (!ours) refuseForeign("link", names.parent, exercise.number);
      return `the parent link ${names.parent} (already there)`;
    }
    await createParentLinkNamed(names);
    return `the parent link ${names.parent}: a veth pair whose other end sits in netlab's namespace ${names.namespace}`;
  }
  if ("container" in step) {
    const found = await labelsOf(() => docker.getContainer(step.container).inspect() as never);
    if (found !== undefined) {
      if (!isPreparedFor(found ?? undefined, exercise.number))
        refuseForeign("container", step.container, exercise.number);
      return `container ${step.container}${where} (already there)`;
    }
    const publish = step.publish?.split(":");
    const portKey = publish ? `${publish[2]}/tcp` : undefined;
    const container = await docker.createContainer({
      name: step.container,
      Image: image,
      Cmd: step.command,
      Labels: labels,
      ...(portKey ? { ExposedPorts: { [portKey]: {} } } : {}),
      HostConfig: {
        NetworkMode: step.network ?? "bridge",
        Dns: ["127.0.0.1"],
        Init: false,
        ...(publish && portKey ? { PortBindings: { [portKey]: [{ HostIp: publish[0], HostPort: publish[1] }] } } : {}),
      },
    });
    await container.start();
    return `container ${step.container}${where} (${step.network ?? "default bridge"}${step.publish ? `, -p ${step.publish}` : ""}: ${step.command.join(" ")})`;
  }
  const found = await labelsOf(() => docker.getNetwork(step.network).inspect() as never);
  if (found !== undefined) {
    if (!isPreparedFor(found ?? undefined, exercise.number)) refuseForeign("network", step.network, exercise.number);
    return `network ${step.network}${where} (already there)`;
  }
  const create = () =>
    docker.createNetwork({
      Name: step.network,
      Driver: step.driver ?? "bridge",
      Labels: labels,
      CheckDuplicate: true,
      ...(step.internal ? { Internal: true } : {}),
      ...(step.attachable ? { Attachable: true } : {}),
      ...(step.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: step.subnet }] } } : {}),
    });
  // The machine's engine briefly drops its isolation rules while it creates a network (see churn-lock); a node's
  // engine is a dockerd of its own, in a namespace of its own.
  if (docker === machine) await withNetworkChurn(`creating network ${step.network}`, create);
  else await create();
  return `network ${step.network}${where}${step.driver ? ` (${step.driver}${step.attachable ? ", attachable" : ""})` : ""}${step.internal ? " (internal)" : ""}`;
}

/**
 * The labs' host locks a prepare step takes while it runs: a container on the default bridge takes an
 * address there; a network or a swarm takes subnets from the pools. Each step takes its own, and only for
 * itself: a network's creation also waits for the churn lock (probes in flight), which must not keep the
 * default bridge from everyone meanwhile.
 */
function withLocksFor<T>(step: PrepareStep, work: () => Promise<T>): Promise<T> {
  // A node's engine is its own: the machine's default bridge and pools are not what it takes from.
  if ("node" in step && step.node !== undefined) return work();
  if ("container" in step)
    return (step.network ?? "bridge") === "bridge" ? withHostLock("default-bridge", work) : work();
  if ("network" in step) return withHostLock("address-pools", work);
  return work();
}

/**
 * Builds what the exercise prepares, in order, each labelled as netlab's and exercise N's; what is already
 * there from an earlier start is kept. An exercise on nodes gets them started first (`nodes`): its steps that
 * name a node run on that node's engine.
 */
export async function prepareExercise(
  docker: Dockerode,
  exercise: Exercise,
  image: string,
  nodes?: ExerciseNodes,
): Promise<string[]> {
  const done: string[] = [];
  for (const step of exercise.prepare) {
    debug("Preparing %o for exercise %d…", step, exercise.number);
    done.push(await withLocksFor(step, () => prepareOne(docker, exercise, step, image, nodes)));
  }
  return done;
}
