import type Dockerode from "dockerode";
import { LOCAL_ENGINE } from "./engine-set.js";

/** One network a checked container is attached to, as the engine reports it. */
export interface Attachment {
  network: string;
  address?: string;
  gateway?: string;
  /** Its global IPv6 address and gateway, on a network made with --ipv6. */
  address6?: string;
  gateway6?: string;
  aliases: string[];
}

/** A container a spec names, as the engine sees it now: what every probe and hint is planned from. */
export interface Target {
  /** The name the spec uses (a compose service or a container name). */
  name: string;
  id: string;
  /** The engine it was found on (engine-set.ts): its probes and engine reads go there; absent, the machine's. */
  engine?: string;
  /** The container's own name, as `docker ps` shows it. */
  container: string;
  running: boolean;
  /** `bridge`, `host`, `none`, `container:<id>`, or a user-defined network's name. */
  networkMode: string;
  attachments: Attachment[];
  /** Published ports in `docker ps` notation, sorted: `127.0.0.1:8443->80/tcp`. */
  published: string[];
  /** Host file of the container's resolv.conf, and the resolvers in it (read by the caller). */
  resolvConfPath?: string;
  /** The nameservers it was given (--dns: HostConfig.Dns); on a user-defined network, where its embedded DNS forwards. */
  dns?: string[];
  /** A scaled compose service's other containers (`--scale`, `deploy.replicas`): its name answers with theirs too. */
  replicas?: Target[];
}

/** Brackets an IPv6 host address, as `docker ps` does. */
function hostPart(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}

export function publishedPorts(
  ports: Dockerode.ContainerInspectInfo["NetworkSettings"]["Ports"] | undefined,
): string[] {
  const published = new Set<string>();
  for (const [containerPort, bindings] of Object.entries(ports ?? {})) {
    for (const binding of bindings ?? []) {
      if (!binding.HostPort) continue;
      published.add(`${hostPart(binding.HostIp || "0.0.0.0")}:${binding.HostPort}->${containerPort}`);
    }
  }
  return [...published].sort();
}

/** The Target a container's inspect data describes. */
export function targetFromInspect(
  name: string,
  info: Dockerode.ContainerInspectInfo,
  engine: string = LOCAL_ENGINE,
): Target {
  const networks = info.NetworkSettings.Networks ?? {};
  return {
    name,
    id: info.Id,
    engine,
    container: info.Name.replace(/^\//, ""),
    running: info.State.Running,
    networkMode: info.HostConfig.NetworkMode ?? "default",
    attachments: Object.entries(networks).map(([network, endpoint]) => ({
      network,
      ...(endpoint.IPAddress ? { address: endpoint.IPAddress } : {}),
      ...(endpoint.Gateway ? { gateway: endpoint.Gateway } : {}),
      ...(endpoint.GlobalIPv6Address ? { address6: endpoint.GlobalIPv6Address } : {}),
      ...(endpoint.IPv6Gateway ? { gateway6: endpoint.IPv6Gateway } : {}),
      aliases: ((endpoint.Aliases ?? []) as string[]).filter((alias) => alias !== info.Id.slice(0, 12)),
    })),
    published: publishedPorts(info.NetworkSettings.Ports),
    ...(info.ResolvConfPath ? { resolvConfPath: info.ResolvConfPath } : {}),
    ...(info.HostConfig.Dns?.length ? { dns: info.HostConfig.Dns } : {}),
  };
}

/** The name of the engine a target runs on. */
export function engineOf(target: Target): string {
  return target.engine ?? LOCAL_ENGINE;
}

/** Addresses a container can be reached at, one per network it has an address on. */
export function addressesOf(target: Target): string[] {
  return target.attachments.flatMap((attachment) => (attachment.address ? [attachment.address] : []));
}

/** Networks two containers share (by name). */
export function sharedNetworks(a: Target, b: Target): string[] {
  const theirs = new Set(b.attachments.map((attachment) => attachment.network));
  return a.attachments.map((attachment) => attachment.network).filter((network) => theirs.has(network));
}

/** `docker compose`'s default project name for a file in `directory`: the folder's name, lower case, [-_a-z0-9] kept. */
export function defaultProjectName(directory: string): string {
  const base = directory.split("/").filter(Boolean).pop() ?? "default";
  return base.toLowerCase().replace(/[^-_a-z0-9]/g, "");
}
