import { readFile } from "node:fs/promises";
import type Dockerode from "dockerode";

const DAEMON_JSON = "/etc/docker/daemon.json";

/** What the engine is configured with, read once per run; checks that depend on it name what they assumed. */
export interface EngineFacts {
  serverVersion: string;
  apiVersion: string;
  kernelVersion: string;
  operatingSystem: string;
  bridge: {
    name: string;
    subnet: string;
    /** Not reported for the default bridge by every engine version; a container's inspect has it. */
    gateway?: string;
    iccEnabled: boolean;
    masquerade: boolean;
  };
  networks: Array<{ name: string; driver: string }>;
  /** What `docker info` says of forwarding and iptables, and of swarm. */
  ipv4Forwarding: boolean;
  bridgeNfIptables: boolean;
  swarmState: string;
  /** /etc/docker/daemon.json as found (bip, default-address-pools, icc, iptables…); {} when there is none. */
  daemonConfig: Record<string, unknown>;
}

/** "20.10.24+dfsg1" → [20, 10]: for claims whose documented behaviour changed between versions. */
export function versionOf(serverVersion: string): [number, number] {
  const [major = 0, minor = 0] = serverVersion.split(/[.+-]/).map(Number);
  return [major, minor];
}

async function readDaemonConfig(): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(DAEMON_JSON, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function readEngineFacts(docker: Dockerode): Promise<EngineFacts> {
  const [info, version, bridge, networks, daemonConfig] = await Promise.all([
    docker.info(),
    docker.version(),
    docker.getNetwork("bridge").inspect(),
    docker.listNetworks(),
    readDaemonConfig(),
  ]);
  const ipam = bridge.IPAM?.Config?.[0] ?? {};
  const options: Record<string, string> = bridge.Options ?? {};
  return {
    serverVersion: version.Version,
    apiVersion: version.ApiVersion,
    kernelVersion: info.KernelVersion,
    operatingSystem: info.OperatingSystem,
    bridge: {
      name: options["com.docker.network.bridge.name"] ?? "docker0",
      subnet: ipam.Subnet ?? "",
      gateway: ipam.Gateway,
      iccEnabled: options["com.docker.network.bridge.enable_icc"] !== "false",
      masquerade: options["com.docker.network.bridge.enable_ip_masquerade"] !== "false",
    },
    networks: networks.map((network) => ({ name: network.Name, driver: network.Driver })),
    ipv4Forwarding: info.IPv4Forwarding !== false,
    bridgeNfIptables: info.BridgeNfIptables !== false,
    swarmState: info.Swarm?.LocalNodeState ?? "inactive",
    daemonConfig,
  };
}
