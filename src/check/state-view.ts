import type { Link } from "../probes/net-view.js";
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
}

/** A container, running or not, as `docker inspect` shows it. */
export interface ContainerFacts {
  id: string;
  name: string;
  status: string;
  exitCode: number;
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
}

/** One state expectation, judged: held, what was seen, a hint in the learner's words, the command that shows it. */
export interface StateJudgement {
  held: boolean;
  detail: string;
  hint?: string;
  command: string;
}
