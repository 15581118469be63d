import { ipv4Ipam } from "./cidr.js";
import { mergeDaemonSettings, settingsFromDaemonArgs, settingsFromInfo } from "./daemon-settings.js";

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
    /** Its IPv6 subnet, when the engine runs it with --ipv6 (fixed-cidr-v6). */
    ipv6Subnet?: string;
  };
  networks: Array<{ name: string; driver: string }>;
  /** What `docker info` says of forwarding and iptables, and of swarm. */
  ipv4Forwarding: boolean;
  bridgeNfIptables: boolean;
  swarmState: string;
  /**
   * What the engine is configured with, daemon.json's names (bip, default-address-pools, ipv6, fixed-cidr-v6,
   * icc, iptables…): from its /info where it says, the running dockerd's flags (a local engine), daemon.json.
   */
  daemonConfig: Record<string, unknown>;
  /** Where each setting of `daemonConfig` was read. */
  daemonConfigSources?: Record<string, string>;
}

/** "20.10.24+dfsg1" → [20, 10]: for claims whose documented behaviour changed between versions. */
export function versionOf(serverVersion: string): [number, number] {
  const [major = 0, minor = 0] = serverVersion.split(/[.+-]/).map(Number);
  return [major, minor];
}

/** What the engine answered and what was read beside it: recorded, these make an engine's facts in a unit test. */
export interface EngineRecording {
  version: { Version: string; ApiVersion: string };
  info: {
    KernelVersion?: string;
    OperatingSystem?: string;
    IPv4Forwarding?: boolean;
    BridgeNfIptables?: boolean;
    Swarm?: { LocalNodeState?: string };
    DefaultAddressPools?: Array<{ Base?: string; Size?: number }> | null;
  };
  /** `docker network inspect bridge`. */
  bridge: {
    IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } | null;
    Options?: Record<string, string> | null;
  };
  networks: Array<{ Name: string; Driver: string }>;
  /** The running dockerd's argv (a local engine), with its pid. */
  daemon?: { pid: number; argv: string[] };
  /** daemon.json as found, and its path. */
  daemonJson?: { path: string; settings: Record<string, unknown> };
  /** The default bridge's IPv4 address as this host shows it (docker0 on a local engine): the gateway, where the engine's IPAM omits it. */
  bridgeAddress?: string;
}

/** The engine's facts from what it answered and what was read beside it. */
export function engineFactsOf(recorded: EngineRecording): EngineFacts {
  const { info, version, bridge, networks } = recorded;
  const configs = bridge.IPAM?.Config ?? [];
  const ipv4 = ipv4Ipam(configs) ?? {};
  const ipv6 = configs.find((config) => config.Subnet?.includes(":"));
  const options: Record<string, string> = bridge.Options ?? {};
  const daemon = mergeDaemonSettings(
    { settings: settingsFromInfo(info), source: "the engine's /info" },
    ...(recorded.daemon
      ? [
          {
            settings: settingsFromDaemonArgs(recorded.daemon.argv),
            source: `dockerd's flags (pid ${recorded.daemon.pid})`,
          },
        ]
      : []),
    ...(recorded.daemonJson ? [{ settings: recorded.daemonJson.settings, source: recorded.daemonJson.path }] : []),
  );
  return {
    serverVersion: version.Version,
    apiVersion: version.ApiVersion,
    kernelVersion: info.KernelVersion ?? "",
    operatingSystem: info.OperatingSystem ?? "",
    bridge: {
      name: options["com.docker.network.bridge.name"] ?? "docker0",
      subnet: ipv4.Subnet ?? "",
      // 20.10 reports no Gateway for the default bridge: its interface on the host holds it.
      gateway: ipv4.Gateway ?? recorded.bridgeAddress,
      iccEnabled: options["com.docker.network.bridge.enable_icc"] !== "false",
      masquerade: options["com.docker.network.bridge.enable_ip_masquerade"] !== "false",
      ...(ipv6?.Subnet ? { ipv6Subnet: ipv6.Subnet } : {}),
    },
    networks: networks.map((network) => ({ name: network.Name, driver: network.Driver })),
    ipv4Forwarding: info.IPv4Forwarding !== false,
    bridgeNfIptables: info.BridgeNfIptables !== false,
    swarmState: info.Swarm?.LocalNodeState ?? "inactive",
    daemonConfig: daemon.settings,
    daemonConfigSources: daemon.sources,
  };
}
