import type Dockerode from "dockerode";
import { observeHostNetwork } from "../probes/net-view.js";
import { overlaps, subnetAt } from "./cidr.js";

export class FreeSubnetError extends Error {
  override name = "FreeSubnetError";
}

/** The first /`prefix` of `pool` that overlaps none of `used` (subnets and routes, as CIDRs). */
export function firstFreeSubnet(pool: string, used: string[], prefix = 24): string | undefined {
  const [, bits] = pool.split("/");
  const count = 2 ** (prefix - Number(bits));
  for (let index = 0; index < Math.min(count, 256); index += 1) {
    const candidate = subnetAt(pool, prefix, index);
    if (!used.some((taken) => overlaps(taken, candidate))) return candidate;
  }
  return undefined;
}

/**
 * A /24 of `pool` that no engine network (local or swarm-scoped) and no host route uses. Call it under the
 * `address-pools` host lock, with the network created before the lock is let go, or the answer is stale.
 */
export async function findFreeSubnet(docker: Dockerode, pool: string): Promise<string> {
  const networks = await docker.listNetworks();
  const subnets = networks.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? "")).filter((subnet) => subnet.includes("/"));
  const routes = (await observeHostNetwork()).routes.map((route) => route.destination).filter((destination) => destination.includes("/"));
  const free = firstFreeSubnet(pool, [...subnets, ...routes]);
  if (!free) throw new FreeSubnetError(`no free /24 left in NETLAB_LAB_POOL ${pool}`);
  return free;
}
