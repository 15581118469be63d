import type { Outcome } from "../core/outcome.js";
import type { ProbeItem as BatchItem } from "../probes/probe-commands.js";
import type { Endpoint } from "../core/check-file/expectations.js";
import type { Target } from "./target.js";
import { namespaceText } from "../core/check-file/endpoint.js";

/** Where a probe runs: inside a checked container (through its sidecar), in a named namespace, on the host, or outside (the sentinel). */
export type SiteKey =
  { kind: "container"; name: string } | { kind: "netns"; name: string } | { kind: "host" } | { kind: "outside" };

export interface PlannedProbe {
  item: BatchItem;
  /** The network the address belongs to, when it is a container's. */
  network?: string;
  /** The probe crosses a network the source shares with the target. */
  shared: boolean;
}

export interface ProbePlan {
  site: SiteKey;
  probes: PlannedProbe[];
  /** Why nothing could be probed (a target without an address): the outcome that follows, in words. */
  unprobed?: { outcome: Outcome; detail: string };
}

/** What the plan needs of the world: the containers, the host's addresses, and the outside. */
export interface PlanContext {
  targets: Map<string, Target>;
  /** The default bridge's gateway: the host as a container on no network of its own would dial it. */
  hostBridgeAddress: string;
  outside?: { address: string; port: number; hostAddress: string };
}

export class PlanError extends Error {
  override name = "PlanError";
}

export function siteOf(endpoint: Endpoint): SiteKey {
  if (endpoint.kind === "name") return { kind: "container", name: endpoint.name };
  if (endpoint.kind === "netns") return { kind: "netns", name: endpoint.name };
  if (endpoint.kind === "host") return { kind: "host" };
  if (endpoint.kind === "outside") return { kind: "outside" };
  throw new PlanError(`a probe cannot start from an address (${endpoint.address}): name a container, host or outside`);
}

export function siteName(site: SiteKey): string {
  return site.kind === "container" ? site.name : site.kind === "netns" ? namespaceText(site.name) : site.kind;
}

/** The names of containers an expectation involves, so they can be found before anything is probed. */
export function namesIn(endpoint: Endpoint): string[] {
  return endpoint.kind === "name" ? [endpoint.name] : [];
}
