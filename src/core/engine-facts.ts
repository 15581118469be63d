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
