import type { Outcome, ProbeResult } from "../core/outcome.js";
import type { BatchItem } from "./batch-probe.js";
import type { Endpoint, ReachExpectation, ResolveExpectation } from "../core/spec/expectations.js";
import { addressesOf, sharedNetworks, type Target } from "./target.js";
import { namespaceText } from "../core/spec/endpoint.js";

/** Where a probe runs: inside a checked container (through its sidecar), in a named namespace, on the host, or outside (the sentinel). */
export type SiteKey = { kind: "container"; name: string } | { kind: "netns"; name: string } | { kind: "host" } | { kind: "outside" };

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

function target(context: PlanContext, name: string): Target {
  const found = context.targets.get(name);
  if (!found) throw new PlanError(`no container "${name}" was found for the plan`);
  return found;
}

function outside(context: PlanContext): NonNullable<PlanContext["outside"]> {
  if (!context.outside) throw new PlanError("the plan names outside, but no sentinel was started");
  return context.outside;
}

/** The host's addresses as seen from a site: its bridge gateways from a container, loopback from itself. */
function hostAddresses(site: SiteKey, context: PlanContext): string[] {
  if (site.kind === "host") return ["127.0.0.1"];
  if (site.kind === "outside") return [outside(context).hostAddress];
  if (site.kind === "netns") throw new PlanError(`netlab does not know which address of the host netns:${site.name} dials: write the address, IPv4:PORT`);
  const source = target(context, site.name);
  if (source.networkMode === "host") return ["127.0.0.1"];
  const gateways = [...new Set(source.attachments.flatMap((attachment) => (attachment.gateway ? [attachment.gateway] : [])))];
  return gateways.length > 0 ? gateways : [context.hostBridgeAddress];
}

/** The probes that decide a reach expectation: one connect per address the destination has. */
export function planReach(expectation: ReachExpectation, context: PlanContext): ProbePlan {
  const site = siteOf(expectation.from);
  const to = expectation.to;
  const tcp = (address: string, port: number, network?: string, shared = false): PlannedProbe => ({ item: { kind: "tcp", address, port }, ...(network ? { network } : {}), shared });
  if (to.kind === "outside") {
    const sentinel = outside(context);
    const port = to.port ?? sentinel.port;
    // The sentinel greets each connection with the address it came from: read it when the spec asks who was seen.
    if (expectation.seenAs) return { site, probes: [{ item: { kind: "tcp", address: sentinel.address, port, greeting: true }, shared: false }] };
    return { site, probes: [tcp(sentinel.address, port)] };
  }
  const port = to.port;
  if (port === undefined) throw new PlanError(`expectation "${expectation.id}" has no port to connect to`);
  if (to.kind === "address") return { site, probes: [tcp(to.address, port)] };
  if (to.kind === "host") return { site, probes: hostAddresses(site, context).map((address) => tcp(address, port)) };
  const destination = target(context, to.name);
  if (destination.networkMode === "host") return { site, probes: hostAddresses(site, context).map((address) => tcp(address, port)) };
  const source = site.kind === "container" ? target(context, site.name) : undefined;
  const shared = new Set(source ? sharedNetworks(source, destination) : []);
  const probes = destination.attachments.flatMap((attachment) => (attachment.address ? [tcp(attachment.address, port, attachment.network, shared.has(attachment.network))] : []));
  if (probes.length === 0) {
    const why = destination.networkMode === "none" ? "it runs with --network none" : `network mode ${destination.networkMode}`;
    return { site, probes, unprobed: { outcome: "unreachable", detail: `not probed: ${destination.container} has no IPv4 address (${why}), so nothing can reach it` } };
  }
  return { site, probes };
}

/** The lookup that decides a resolve expectation, made with the source's own resolver (its resolv.conf). */
export function planResolve(expectation: ResolveExpectation): ProbePlan {
  return { site: siteOf(expectation.from), probes: [{ item: { kind: "dns", name: expectation.lookup }, shared: false }] };
}

/**
 * The one outcome of several probes to one destination: connected if any address connected; otherwise the
 * outcome on a network the source shares with it, or else the first address's.
 */
export function combine(plan: ProbePlan, results: ProbeResult[]): { outcome: Outcome; detail: string } {
  if (plan.unprobed) return plan.unprobed;
  const connected = results.find((result) => result.outcome === "connected");
  if (connected) return { outcome: "connected", detail: `connected to ${connected.target}` };
  const index = Math.max(0, plan.probes.findIndex((probe) => probe.shared));
  const chosen = results[index];
  if (!chosen) return { outcome: "failed", detail: "no probe result" };
  const others = results.filter((result) => result !== chosen).map((result) => `${result.target} ${result.outcome}`);
  return { outcome: chosen.outcome, detail: `${chosen.target}: ${chosen.detail}${others.length ? ` (also ${others.join(", ")})` : ""}` };
}

/** Whether a lookup's answer holds: resolving to an address of the named container, or not resolving at all. */
export function resolveHolds(expectation: ResolveExpectation, result: ProbeResult, targets: Map<string, Target>): boolean {
  const resolved = result.outcome === "resolved";
  if (!expectation.expected.resolves) return !resolved;
  const named = targets.get(expectation.lookup);
  return resolved && (!named || (result.addresses ?? []).some((address) => addressesOf(named).includes(address)));
}

/** The names of containers an expectation involves, so they can be found before anything is probed. */
export function namesIn(endpoint: Endpoint): string[] {
  return endpoint.kind === "name" ? [endpoint.name] : [];
}
