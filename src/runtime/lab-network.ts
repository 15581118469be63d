import type Dockerode from "dockerode";
import createDebug from "debug";
import { withNetworkChurn } from "./churn-lock.js";
import { ipv4Ipam } from "../core/cidr.js";

const debug = createDebug("netlab");

export interface NetworkOptions {
  role: string;
  driver?: string;
  /** A CIDR, or unset: the engine picks. */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  attachable?: boolean;
  /** Driver options, as `docker network create -o`. */
  options?: Record<string, string>;
}

/** `docker network create` with netlab's name and labels: the one place a network's create body is built. */
export async function createLabNetwork(
  docker: Dockerode,
  name: string,
  labels: Record<string, string>,
  options: NetworkOptions,
): Promise<LabNetwork> {
  const ipamConfig = options.subnet
    ? [{ Subnet: options.subnet, Gateway: options.gateway, IPRange: options.ipRange }]
    : [];
  debug("Creating network %s…", name);
  const created = await withNetworkChurn(`creating network ${name}`, () =>
    docker.createNetwork({
      Name: name,
      Driver: options.driver ?? "bridge",
      Internal: options.internal ?? false,
      Attachable: options.attachable ?? false,
      CheckDuplicate: true,
      IPAM: { Driver: "default", Config: ipamConfig },
      Options: options.options ?? {},
      Labels: labels,
    }),
  );
  const inspected = await created.inspect();
  const network = new LabNetwork(docker, inspected.Id, name, options.role, inspected);
  debug("Created network %s (%s)", name, network.subnet);
  return network;
}

/** A network a lab created; removed by the lab, or at once with `await using`. */
export class LabNetwork {
  constructor(
    private readonly docker: Dockerode,
    readonly id: string,
    readonly name: string,
    readonly role: string,
    /** The engine's answer to the create call (IPAM as it settled, driver, options). */
    readonly created: Dockerode.NetworkInspectInfo,
  ) {}

  get driver(): string {
    return this.created.Driver ?? "bridge";
  }

  get subnet(): string | undefined {
    return ipv4Ipam(this.created.IPAM?.Config)?.Subnet;
  }

  get gateway(): string | undefined {
    return ipv4Ipam(this.created.IPAM?.Config)?.Gateway;
  }

  /** The Linux bridge the engine made for it: `br-` and the first 12 characters of the id. */
  get bridgeName(): string {
    return this.created.Options?.["com.docker.network.bridge.name"] ?? `br-${this.id.slice(0, 12)}`;
  }

  inspect(): Promise<Dockerode.NetworkInspectInfo> {
    return this.docker.getNetwork(this.id).inspect();
  }

  async connect(containerId: string, endpoint: { aliases?: string[]; ipv4Address?: string } = {}): Promise<void> {
    await this.docker.getNetwork(this.id).connect({
      Container: containerId,
      EndpointConfig: {
        Aliases: endpoint.aliases,
        ...(endpoint.ipv4Address ? { IPAMConfig: { IPv4Address: endpoint.ipv4Address } } : {}),
      },
    });
  }

  async disconnect(containerId: string): Promise<void> {
    await this.docker.getNetwork(this.id).disconnect({ Container: containerId, Force: true });
  }

  async remove(): Promise<void> {
    debug("Removing network %s…", this.name);
    try {
      await withNetworkChurn(`removing network ${this.name}`, () => this.docker.getNetwork(this.id).remove());
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    debug("Removed network %s", this.name);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }
}
