import createDebug from "debug";
import type { NodeEngine } from "../runtime/node-engine.js";
import type { NodeGroup } from "./nodes.js";

const debug = createDebug("netlab:engine");
const SWARM_PORT = 2377;
const POLL_MS = 100;

export class NodeSwarmError extends Error {
  override name = "NodeSwarmError";
}

/** A swarm across a group of nodes netlab started: node 1 manages it, the others are workers. */
export interface NodeSwarm {
  manager: NodeEngine;
  nodes: NodeEngine[];
  /** Each node's swarm id, in node order (node 1 first). */
  nodeIds: string[];
  /** The swarm's pool for overlays' subnets, as the group planned it. */
  pool: string;
}

/** What the manager lists of its nodes: how many are ready, and each one's id by host name. */
async function readyNodes(manager: NodeEngine): Promise<Map<string, string>> {
  const listed = (await manager.docker.listNodes()) as Array<{
    ID: string;
    Description?: { Hostname?: string };
    Status?: { State?: string };
  }>;
  return new Map(
    listed
      .filter((node) => node.Status?.State === "ready")
      .map((node) => [node.Description?.Hostname ?? "", node.ID] as const),
  );
}

/**
 * Makes the group one swarm: node 1 inits it advertised on its underlay address (overlays' subnets from the
 * group's swarm pool), every other node joins as a worker; returns once the manager lists every node ready.
 * Only ever on netlab's own nodes: the machine's engine is never in a swarm netlab made. Nothing to undo
 * apart from the group: the swarm goes with its engines.
 */
export async function formSwarm(group: NodeGroup, options: { timeoutMs?: number } = {}): Promise<NodeSwarm> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const [manager, ...workers] = group.nodes;
  if (!manager) throw new NodeSwarmError(`node group ${group.runId} has no nodes to make a swarm of`);
  const managerAddress = `${manager.underlayAddress}:${SWARM_PORT}`;
  debug("Forming a swarm of %d node(s) on %s…", group.nodes.length, managerAddress);
  try {
    await manager.docker.swarmInit({
      ListenAddr: `${manager.underlayAddress}:${SWARM_PORT}`,
      AdvertiseAddr: manager.underlayAddress,
      DefaultAddrPool: [group.plan.swarmPool],
      SubnetSize: group.plan.swarmPoolMaskLength,
      Spec: { Labels: { "dev.netlab.run": group.runId } },
    });
  } catch (error) {
    throw new NodeSwarmError(`${manager.name} could not init a swarm: ${(error as Error).message}`, { cause: error });
  }
  const tokens = ((await manager.docker.swarmInspect()) as { JoinTokens?: { Worker?: string } }).JoinTokens;
  const token = tokens?.Worker;
  if (!token) throw new NodeSwarmError(`${manager.name} gave no worker join token`);
  await Promise.all(
    workers.map(async (worker) => {
      try {
        await worker.docker.swarmJoin({
          ListenAddr: `${worker.underlayAddress}:${SWARM_PORT}`,
          AdvertiseAddr: worker.underlayAddress,
          RemoteAddrs: [managerAddress],
          JoinToken: token,
        });
      } catch (error) {
        throw new NodeSwarmError(
          `${worker.name} could not join the swarm at ${managerAddress}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }),
  );
  const deadline = Date.now() + timeoutMs;
  let ready = await readyNodes(manager);
  while (ready.size < group.nodes.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    ready = await readyNodes(manager);
  }
  const nodeIds = group.nodes.map((node) => ready.get(node.plan.hostname) ?? "");
  const missing = group.nodes.filter((_, index) => !nodeIds[index]).map((node) => node.name);
  if (missing.length > 0)
    throw new NodeSwarmError(`not ready in the swarm after ${timeoutMs} ms: ${missing.join(", ")}`);
  debug("Formed a swarm of %d node(s)", group.nodes.length);
  return { manager, nodes: group.nodes, nodeIds, pool: group.plan.swarmPool };
}
