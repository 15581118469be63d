import type Dockerode from "dockerode";
import { observeHostNetwork } from "../probes/net-view.js";
import { freeSubnetIn, ipv4Prefixes } from "../core/address-pools.js";

export class FreeSubnetError extends Error {
  override name = "FreeSubnetError";
}

/**
 * A /24 of `pool` that no engine network (local or swarm-scoped) and no host route uses. Call it under the
 * `address-pools` host lock, with the network created before the lock is let go, or the answer is stale.
 */
export async function findFreeSubnet(docker: Dockerode, pool: string): Promise<string> {
  const networks = await docker.listNetworks();
  const subnets = networks.flatMap((network) => (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? ""));
  const routes = (await observeHostNetwork()).routes.map((route) => route.destination);
  // IPv4 only: an engine with --ipv6 has IPv6 subnets among its networks, which no IPv4 /24 can overlap.
  const free = freeSubnetIn(pool, 24, ipv4Prefixes([...subnets, ...routes]));
  if (!free) throw new FreeSubnetError(`no free /24 left in NETLAB_LAB_POOL ${pool}`);
  return free;
}
