import type Dockerode from "dockerode";

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
}

export async function readEngineFacts(docker: Dockerode): Promise<EngineFacts> {
  const [info, version, bridge, networks] = await Promise.all([
    docker.info(),
    docker.version(),
    docker.getNetwork("bridge").inspect(),
    docker.listNetworks(),
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
  };
}
