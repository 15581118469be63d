import { readFile } from "node:fs/promises";
import type Dockerode from "dockerode";
import type { EngineFacts } from "../core/engine-facts.js";

const DAEMON_JSON = "/etc/docker/daemon.json";

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
