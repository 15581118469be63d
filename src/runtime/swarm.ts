import type Dockerode from "dockerode";

/**
 * The engine's local node state, as `docker info` says it ("inactive", "active", "pending", "error", "locked").
 * Read only: netlab never inits, joins or leaves a swarm on an engine it did not start (its swarms live on its
 * own node engines, see src/lifecycle/node-swarm.ts); tests and the soak read it to prove the machine's
 * engine stayed out of one.
 */
export async function swarmState(docker: Dockerode): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  return info.Swarm?.LocalNodeState ?? "inactive";
}
