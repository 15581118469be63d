import { readFileSync } from "node:fs";
import type Dockerode from "dockerode";
import createDebug from "debug";
import type { RunIdentity } from "../core/labels.js";
import { startNodes, type NodeGroup } from "../lifecycle/nodes.js";
import { formSwarm, type NodeSwarm } from "../lifecycle/node-swarm.js";
import type { NodeEngine } from "../runtime/node-engine.js";
import { deployStack, removeStack, waitForStack } from "../runtime/stack-deploy.js";
import type { StartGuard } from "../runtime/start-guard.js";
import { imagesOf } from "./compose-up.js";
import type { NamedEngine } from "./engine-set.js";

const debug = createDebug("netlab:check");

export class StackUpError extends Error {
  override name = "StackUpError";
}

/** A swarm of nodes netlab started for one check, the stack deployed on it. */
export interface UpSwarmStack {
  name: string;
  swarm: NodeSwarm;
  /** The nodes as the check's engine set names them: node1, node2, … (their host names). */
  engines: NamedEngine[];
  /** Node 1, which manages the swarm, as one of `engines`. */
  manager: NamedEngine;
  /** The nodes' LAN: the underlay's namespace (a host there is `outside` for the stack) and each node's address. */
  lan: { namespace: string; nodes: Array<{ name: string; address: string }> };
  /** The node a swarm node id is, by host name. */
  nodeName(nodeId: string): string;
}

/** Each node by its host name (node1…), as the summary names where a task ran. */
export function nodeEngines(nodes: readonly NodeEngine[]): NamedEngine[] {
  return nodes.map((node) => ({ name: node.plan.hostname, docker: node.docker }));
}

/** Refuses an image the machine's engine lacks, in one line: nothing is ever pulled, by the machine or a node. */
async function savedImages(docker: Dockerode, images: string[]): Promise<Map<string, Buffer>> {
  const missing: string[] = [];
  const archives = new Map<string, Buffer>();
  for (const image of images) {
    const found = await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (!found) {
      missing.push(image);
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of (await docker.getImage(image).get()) as AsyncIterable<Buffer>) chunks.push(chunk);
    archives.set(image, Buffer.concat(chunks));
  }
  if (missing.length > 0)
    throw new StackUpError(
      `the stack names image(s) this machine's engine does not have: ${missing.join(", ")}: netlab never pulls; docker load or build ${missing.length === 1 ? "it" : "them"} first`,
    );
  return archives;
}

/**
 * Starts `count` nodes for the run, makes them one swarm, copies every image the stack names into every
 * node (`docker save` | load), deploys the stack from the manager with the docker CLI and waits until every
 * service's tasks run. `registerGroup` hears of the nodes as soon as they exist, so a cleanup (also on
 * Ctrl-C) removes them whatever happens after.
 */
export async function bringUpStack(
  docker: Dockerode,
  options: {
    file: string;
    name: string;
    count: number;
    run: RunIdentity;
    timeoutMs: number;
    starts: StartGuard;
    registerGroup(group: NodeGroup): void;
    say?(line: string): void;
  },
): Promise<UpSwarmStack> {
  const images = imagesOf(readFileSync(options.file, "utf8"));
  // Before any node starts: an image the machine lacks is the user's to fix, in one line.
  const archives = await savedImages(docker, images);
  options.say?.(`starting ${options.count} node engine(s) for run ${options.run.runId}…`);
  const group = await options.starts.start(async () => {
    const started = await startNodes(options.count, { run: options.run, docker });
    options.registerGroup(started);
    return started;
  });
  const swarm = await formSwarm(group, { timeoutMs: options.timeoutMs });
  options.say?.(
    `swarm of ${group.nodes.length} node(s) formed (${group.nodes.map((node) => `${node.plan.hostname} ${node.underlayAddress}`).join(", ")}); loading ${images.length} image(s) into each…`,
  );
  await Promise.all(
    group.nodes.flatMap((node) =>
      [...archives].map(async ([image, archive]) => {
        await node.loadImage(archive);
        debug("Loaded %s into %s", image, node.plan.hostname);
      }),
    ),
  );
  const byId = new Map(swarm.nodeIds.map((id, index) => [id, group.nodes[index]!.plan.hostname]));
  const nodeName = (nodeId: string) => byId.get(nodeId) ?? `node ${nodeId.slice(0, 12)}`;
  options.say?.(`deploying stack ${options.name} on ${swarm.manager.plan.hostname}…`);
  await deployStack({ host: swarm.manager.host, file: options.file, name: options.name });
  await waitForStack(swarm.manager.docker, options.name, { timeoutMs: Math.max(options.timeoutMs, 60_000), nodeName });
  const engines = nodeEngines(group.nodes);
  const lan = {
    namespace: group.plan.underlayNamespace,
    nodes: group.nodes.map((node) => ({ name: node.plan.hostname, address: node.underlayAddress })),
  };
  return { name: options.name, swarm, engines, manager: engines[0]!, nodeName, lan };
}

/** Removes the stack (its tasks stop cleanly), then the nodes with everything on them. */
export async function takeDownStack(
  stack: { name: string; swarm: NodeSwarm } | undefined,
  group: NodeGroup,
): Promise<void> {
  try {
    if (stack) await removeStack({ host: stack.swarm.manager.host, name: stack.name });
  } finally {
    await group.stop();
  }
}
