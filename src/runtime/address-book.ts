import type Dockerode from "dockerode";
import { LABEL } from "../core/labels.js";
import type { AddressHolder } from "../core/packet-owner.js";

/**
 * Who holds which address on the engine right now: every running container with its addresses (netlab's by
 * its label), every network with its subnets. Read when a forwarded packet is seen, while its sender runs.
 */
export async function readAddressBook(docker: Dockerode): Promise<AddressHolder[]> {
  const [containers, networks] = await Promise.all([docker.listContainers(), docker.listNetworks()]);
  const held: AddressHolder[] = containers.map((container) => ({
    kind: "container",
    name: (container.Names[0] ?? container.Id.slice(0, 12)).replace(/^\//, ""),
    netlab: container.Labels?.[LABEL.managed] === "true",
    addresses: Object.values(container.NetworkSettings?.Networks ?? {}).flatMap((network) =>
      [network.IPAddress, network.GlobalIPv6Address].filter((address): address is string => Boolean(address)),
    ),
  }));
  for (const network of networks) {
    const subnets = (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet ? [config.Subnet] : []));
    if (subnets.length > 0)
      held.push({ kind: "network", name: network.Name, netlab: network.Labels?.[LABEL.managed] === "true", subnets });
  }
  return held;
}
