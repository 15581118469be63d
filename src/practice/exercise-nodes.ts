import Dockerode from "dockerode";
import createDebug from "debug";
import type { NetlabConfig } from "../core/config.js";
import { newRun } from "../core/labels.js";
import type { GroupPlan } from "../core/node-plan.js";
import { formSwarm } from "../lifecycle/node-swarm.js";
import {
  checkMachine,
  isPidFileAlive,
  keepNodes,
  listNodeGroups,
  startNodes,
  sweepNodes,
  type NodeGroup,
} from "../lifecycle/nodes.js";
import { nodesOf, recordNodes } from "./state-file.js";

const debug = createDebug("netlab:practice");

/** One node engine an exercise runs on, as grading and the learner's commands name it (node1, node2, …). */
export interface ExerciseNode {
  name: string;
  docker: Dockerode;
  /** `unix://…`: what `docker -H` and DOCKER_HOST take. */
  host: string;
}

/** The node engines of an exercise: the group's plan (sockets, namespaces, underlay) and a client per node. */
export interface ExerciseNodes {
  plan: GroupPlan;
  nodes: ExerciseNode[];
  /** Whether an earlier `practice start` started them (and this one found them running). */
  earlier?: boolean;
}

/** What a `nodes:` prepare step asks for. */
export interface NodesWanted {
  nodes: number;
  swarm?: boolean;
}

export function nodesOfGroup(group: NodeGroup): ExerciseNodes {
  return {
    plan: group.plan,
    nodes: group.nodes.map((node) => ({ name: node.plan.hostname, docker: node.docker, host: node.host })),
  };
}

/** The group recorded for exercise `number`, when every engine of it still runs; undefined otherwise. */
export async function findExerciseNodes(number: number, timeoutMs: number): Promise<ExerciseNodes | undefined> {
  const runId = nodesOf(number);
  if (!runId) return undefined;
  const found = (await listNodeGroups()).find((group) => group.record && group.plan.runId === runId);
  if (!found || !found.plan.nodes.every((node) => isPidFileAlive(node.pidFile))) return undefined;
  return {
    plan: found.plan,
    nodes: found.plan.nodes.map((node) => ({
      name: node.hostname,
      docker: new Dockerode({ socketPath: node.socket, timeout: timeoutMs }),
      host: node.host,
    })),
  };
}

async function inSwarm(docker: Dockerode): Promise<boolean> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  return info.Swarm?.LocalNodeState === "active";
}

/**
 * Removes the node group recorded for exercise `number`, whole, and forgets it; returns the nodes removed.
 * Only that group: nodes of `netlab nodes up`, of labs and of other exercises are never touched.
 */
export async function removeExerciseNodes(number: number, timeoutMs: number): Promise<string[]> {
  const runId = nodesOf(number);
  if (!runId) return [];
  const removed = await sweepNodes((group) => group.plan.runId === runId, timeoutMs);
  recordNodes(number, undefined);
  return removed;
}

/**
 * The exercise's nodes: the group an earlier start left, if it still runs (and is a swarm when one is wanted),
 * else a new kept group (recorded before it starts, so a reset finds even a half-started one), made a swarm
 * when asked. The machine's own engine is never part of it.
 */
export async function startExerciseNodes(
  number: number,
  wanted: NodesWanted,
  options: { docker: Dockerode; config: NetlabConfig },
): Promise<{ nodes: ExerciseNodes; reused: boolean }> {
  checkMachine();
  const timeoutMs = options.config.engineTimeoutMs;
  const earlier = await findExerciseNodes(number, timeoutMs);
  if (
    earlier &&
    earlier.nodes.length === wanted.nodes &&
    (!wanted.swarm || (earlier.nodes[0] && (await inSwarm(earlier.nodes[0].docker))))
  )
    return { nodes: { ...earlier, earlier: true }, reused: true };
  // Whatever is left of a recorded group that no longer runs whole.
  await removeExerciseNodes(number, timeoutMs);
  const run = newRun();
  recordNodes(number, run.runId);
  debug("Starting %d node(s) for exercise %d…", wanted.nodes, number);
  try {
    const group = await startNodes(wanted.nodes, {
      docker: options.docker,
      run,
      timeoutMs,
      pool: options.config.nodePool,
      image: options.config.image,
    });
    try {
      if (wanted.swarm) await formSwarm(group, { timeoutMs });
      keepNodes(group);
    } catch (error) {
      await group.stop();
      throw error;
    }
    return { nodes: nodesOfGroup(group), reused: false };
  } catch (error) {
    recordNodes(number, undefined);
    throw error;
  }
}

/** The lines a learner pastes to drive each node by hand. */
export function nodeLines(nodes: ExerciseNodes, swarm: boolean): string[] {
  return nodes.plan.nodes.flatMap((node, index) => [
    `${node.hostname}${swarm ? (index === 0 ? " (swarm manager)" : " (swarm worker)") : ""}  underlay ${node.underlayAddress}  namespace ${node.name}`,
    `    export DOCKER_HOST=${node.host}`,
    swarm && index === 0 ? `    docker -H ${node.host} node ls` : `    docker -H ${node.host} ps`,
  ]);
}
