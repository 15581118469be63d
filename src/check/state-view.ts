import type { Link } from "../probes/net-view.js";
import type { InterfaceEntry } from "../probes/netns-tables.js";
import type { Target } from "./target.js";

/** A Docker network as `docker network inspect` shows it, the parts a state expectation reads. */
export interface NetworkFacts {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  options: Record<string, string>;
  /** IPv4 subnets of its IPAM config. */
  subnets: string[];
  /** Made with --ipv6. */
  ipv6: boolean;
  /** Its IPAM config as inspect shows it, IPv4 and IPv6: a gateway only where the engine lists one. */
  ipam: { subnet: string; gateway?: string }[];
  /** Made by compose: its key under `networks:` (label com.docker.compose.network), where a fix is written. */
  composeKey?: string;
  /** The host's bridge interface of a bridge network: com.docker.network.bridge.name, else br-<id12>. */
  bridge?: string;
}

/** A container's endpoint on one network, as `docker inspect` shows it. */
export interface EndpointFacts {
  ip?: string;
  ipv6?: string;
  mac?: string;
  /** Its network-scoped aliases (NetworkSettings.Networks[net].Aliases), without the engine's short id. */
  aliases: string[];
}

/** A container, running or not, as `docker inspect` shows it. */
export interface ContainerFacts {
  id: string;
  name: string;
  status: string;
  exitCode: number;
  /** RFC 3339 with nanoseconds, as inspect prints them. */
  created: string;
  startedAt: string;
  labels: Record<string, string>;
  endpoints: Record<string, EndpointFacts>;
}

/** A `network connect` event of one container, at its time in nanoseconds since the epoch. */
export interface ConnectEvent {
  network: string;
  timeNano: bigint;
}

/** The engine's answer to a docker command: its exit code and its words. */
export interface CommandAnswer {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * What state expectations read of the world besides the targets: the engine (networks, any container,
 * logs), a container's links seen from inside, and the host's links (a local engine only).
 */
export interface StateView {
  network(name: string): Promise<NetworkFacts | undefined>;
  container(nameOrId: string): Promise<ContainerFacts | undefined>;
  logs(name: string): Promise<string>;
  linksInside(target: Target): Promise<Link[]>;
  /** The links inside a named network namespace (`ip netns exec NAME ip -o link`). */
  linksInNamespace(name: string): Promise<Link[]>;
  hostLinks(): Promise<Link[]>;
  /** The host's interfaces with their state and addresses (`ip -j addr show`). */
  hostInterfaces(): Promise<InterfaceEntry[]>;
  /**
   * The `network connect` events of a container the engine still holds (only its most recent ones, in memory):
   * `oldestNano` is the oldest event it holds at all, so a caller can tell whether they reach back far enough.
   */
  connectEvents(containerId: string): Promise<{ events: ConnectEvent[]; oldestNano?: bigint }>;
  /** `docker create` with these arguments (after `create`), labelled netlab's, removed at once: what the engine said. */
  createOnce(args: string[]): Promise<CommandAnswer>;
}

/** One state expectation, judged: held, what was seen, a hint in the learner's words, the command that shows it. */
export interface StateJudgement {
  held: boolean;
  detail: string;
  hint?: string;
  command: string;
}
