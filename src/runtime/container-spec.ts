import type Dockerode from "dockerode";
import { IDLE_COMMAND } from "../core/names.js";

/** What a lab asks of one container, in the words of `docker run`. */
export interface ContainerOptions {
  /** What the container is for in the lesson ("web", "isolated"); part of its name. */
  role: string;
  /** `bridge` (the default, as with a bare `docker run`), `none`, `host`, `container:<id>` or a network name. */
  network?: string;
  command?: string[];
  /** Resolvers for the container; the sentinel by default, so no lookup leaves the machine. `false`: none set. */
  dns?: string[] | false;
  /** On a user-defined network: extra DNS names, and a fixed address (`--network-alias`, `--ip`). */
  aliases?: string[];
  ipv4Address?: string;
  hostname?: string;
  /** `-p hostIp:hostPort:containerPort`; the host IP is required, so nothing listens on all interfaces. */
  publish?: Array<{ hostIp: string; hostPort: number; containerPort: number }>;
}

/** The engine's create body for one container, and the name it is created with. */
export type ContainerSpec = Dockerode.ContainerCreateOptions & {
  name: string;
  Image: string;
  Cmd: string[];
  Labels: Record<string, string>;
  HostConfig: Dockerode.HostConfig & { NetworkMode: string };
};

export interface SpecContext {
  name: string;
  image: string;
  labels: Record<string, string>;
  /** Resolvers when the options name none (the sentinel). */
  dns: string[];
}

type PortBindings = Record<string, Array<{ HostIp: string; HostPort: string }>>;

/**
 * What netlab asks the engine for, the one place options become a create body. No network named is what
 * a bare `docker run` sends ("default", the default bridge). One container port may be published on
 * several host addresses: bindings append, never replace.
 */
export function containerSpec(options: ContainerOptions, context: SpecContext): ContainerSpec {
  const network = options.network ?? "default";
  const bindings = options.publish ?? [];
  const portBindings: PortBindings = {};
  for (const binding of bindings) {
    (portBindings[`${binding.containerPort}/tcp`] ??= []).push({
      HostIp: binding.hostIp,
      HostPort: String(binding.hostPort),
    });
  }
  const endpoint = options.aliases?.length || options.ipv4Address;
  return {
    name: context.name,
    Image: context.image,
    Cmd: options.command ?? IDLE_COMMAND,
    Labels: context.labels,
    ...(options.hostname ? { Hostname: options.hostname } : {}),
    ...(bindings.length ? { ExposedPorts: Object.fromEntries(Object.keys(portBindings).map((key) => [key, {}])) } : {}),
    HostConfig: {
      NetworkMode: network,
      ...(options.dns === false ? {} : { Dns: options.dns ?? context.dns }),
      ...(bindings.length ? { PortBindings: portBindings } : {}),
    },
    // Attach to one user-defined network at create time, with aliases and a fixed address, and to nothing else.
    ...(endpoint
      ? {
          NetworkingConfig: {
            EndpointsConfig: {
              [network]: {
                Aliases: options.aliases,
                ...(options.ipv4Address ? { IPAMConfig: { IPv4Address: options.ipv4Address } } : {}),
              },
            },
          },
        }
      : {}),
  };
}

/** Whether a container of this spec sits on the default bridge (where starts and removals take turns). */
export function onDefaultBridge(spec: ContainerSpec): boolean {
  return spec.HostConfig.NetworkMode === "default" || spec.HostConfig.NetworkMode === "bridge";
}
