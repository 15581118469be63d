import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { formatEndpoint, type IpFamily } from "../../core/check-file/endpoint.js";
import { holds, type ReachExpectation } from "../../core/check-file/expectations.js";
import { holdingOutcomes, refusedOnPath } from "../../core/check-file/holds.js";
import type { SiteView } from "../../probes/probe-batch.js";
import {
  namesIn,
  PlanError,
  siteOf,
  type PlanContext,
  type PlannedProbe,
  type ProbePlan,
  type SiteKey,
} from "../plan-probes.js";
import { sharedNetworks, type Attachment, type Target } from "../target.js";
import type { ExpectationKind, HintContext, ProbeJudgement } from "./kind.js";
import { reachHint } from "./reach-hints.js";
import { probedBetween } from "./reach-like.js";
import { nameOf } from "./words.js";

/** What a version-2 `reach: no` that saw a refusal observed: not isolation, only nothing listening. */
export const REFUSED_ON_PATH = "refused: the port is closed, but the path is open";

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
function hostAddresses(site: SiteKey, context: PlanContext, ip: IpFamily): string[] {
  const loopback = ip === 6 ? "::1" : "127.0.0.1";
  if (site.kind === "host") return [loopback];
  if (site.kind === "outside") {
    if (ip === 6) throw new PlanError("netlab's outside dials the host over IPv4 only: drop `ip: 6`");
    return [outside(context).hostAddress];
  }
  if (site.kind === "netns")
    throw new PlanError(
      `netlab does not know which address of the host netns:${site.name} dials: write the address, IPv4:PORT or [IPv6]:PORT`,
    );
  const source = target(context, site.name);
  if (source.networkMode === "host") return [loopback];
  const gatewayOf = (attachment: Attachment) => (ip === 6 ? attachment.gateway6 : attachment.gateway);
  const gateways = [...new Set(source.attachments.flatMap((attachment) => gatewayOf(attachment) ?? []))];
  if (gateways.length > 0) return gateways;
  if (ip === 6) throw new PlanError(noIpv6(source));
  return [context.hostBridgeAddress];
}

/** The one line a plan fails with when `ip: 6` names a container on no network with IPv6. */
function noIpv6(container: Target): string {
  const networks = container.attachments.map((attachment) => attachment.network);
  return `${container.container} has no IPv6 address on ${networks.length ? networks.join(", ") : "any network"}: \`ip: 6\` needs a network made with IPv6 (docker network create --ipv6 --subnet fd00:…/64 NAME, then docker network connect NAME ${container.container})`;
}

/** The probe of one address: a TCP connect, or with `/udp` a datagram that must get a reply. */
function probeOf(
  to: ReachExpectation["to"],
  address: string,
  port: number,
  network?: string,
  shared = false,
): PlannedProbe {
  const protocol = "protocol" in to && to.protocol === "udp" ? "udp" : "tcp";
  return { item: { kind: protocol, address, port }, ...(network ? { network } : {}), shared };
}

/** The probes that decide a reach expectation: one connect (or datagram) per address the destination has. */
export function planReach(expectation: ReachExpectation, context: PlanContext): ProbePlan {
  const site = siteOf(expectation.from);
  const to = expectation.to;
  const ip: IpFamily = expectation.ip ?? 4;
  const probe = (address: string, port: number, network?: string, shared = false) =>
    probeOf(to, address, port, network, shared);
  if (to.kind === "outside") {
    const sentinel = outside(context);
    const port = to.port ?? sentinel.port;
    // The sentinel greets each connection with the address it came from: read it when the spec asks who was seen.
    if (expectation.seenAs)
      return {
        site,
        probes: [{ item: { kind: "tcp", address: sentinel.address, port, greeting: true }, shared: false }],
      };
    return { site, probes: [probe(sentinel.address, port)] };
  }
  const port = to.port;
  if (to.kind === "address") return { site, probes: [probe(to.address, port)] };
  if (to.kind === "host")
    return { site, probes: hostAddresses(site, context, ip).map((address) => probe(address, port)) };
  const destination = target(context, to.name);
  if (destination.networkMode === "host")
    return { site, probes: hostAddresses(site, context, ip).map((address) => probe(address, port)) };
  const source = site.kind === "container" ? target(context, site.name) : undefined;
  const addressOf = (attachment: Attachment) => (ip === 6 ? attachment.address6 : attachment.address);
  // A name several containers answer to (a scaled service, a shared alias) is dialled at each of them, as its
  // clients are spread over them: it is reached when one of them is.
  const probes = [destination, ...(destination.replicas ?? [])].flatMap((replica) => {
    const shared = new Set(source ? sharedNetworks(source, replica) : []);
    return replica.attachments.flatMap((attachment) => {
      const address = addressOf(attachment);
      return address ? [probe(address, port, attachment.network, shared.has(attachment.network))] : [];
    });
  });
  if (probes.length === 0) {
    if (ip === 6 && destination.attachments.length > 0) throw new PlanError(noIpv6(destination));
    const why =
      destination.networkMode === "none" ? "it runs with --network none" : `network mode ${destination.networkMode}`;
    return {
      site,
      probes,
      unprobed: {
        outcome: "unreachable",
        detail: `not probed: ${destination.container} has no IPv${ip} address (${why}), so nothing can reach it`,
      },
    };
  }
  return { site, probes };
}

/**
 * The one outcome of several probes to one destination: connected if any address connected; otherwise the
 * outcome on a network the source shares with it, or else the first address's.
 */
export function combine(plan: ProbePlan, results: ProbeResult[]): { outcome: Outcome; detail: string } {
  if (plan.unprobed) return plan.unprobed;
  const connected = results.find((result) => result.outcome === "connected");
  // A datagram's proof is its reply: keep what came back.
  if (connected)
    return {
      outcome: "connected",
      detail:
        connected.probe === "udp" ? `${connected.target}: ${connected.detail}` : `connected to ${connected.target}`,
    };
  const index = Math.max(
    0,
    plan.probes.findIndex((probe) => probe.shared),
  );
  const chosen = results[index];
  if (!chosen) return { outcome: "failed", detail: "no probe result" };
  const others = results.filter((result) => result !== chosen).map((result) => `${result.target} ${result.outcome}`);
  return {
    outcome: chosen.outcome,
    detail: `${chosen.target}: ${chosen.detail}${others.length ? ` (also ${others.join(", ")})` : ""}`,
  };
}

/** The address the sentinel greeted a connection with (`netlab-sentinel peer=ADDR`). */
function peerSeen(results: ProbeResult[]): string | undefined {
  for (const result of results) {
    const peer = /peer=(?:::ffff:)?(\S+)/.exec(result.reply ?? "")?.[1];
    if (peer) return peer;
  }
  return undefined;
}

/** With `seen-as`: whether the outside saw the host's address (NAT) or the source's own, what it saw, and why not. */
function judgeSeenAs(
  expectation: ReachExpectation,
  results: ProbeResult[],
  view: SiteView,
  context: PlanContext,
): { held: boolean; detail: string; hint?: string } {
  const peer = peerSeen(results);
  const hostAddress = context.outside?.hostAddress;
  const own = view.addresses
    .map((entry) => entry.split(" ")[1]?.split("/")[0])
    .filter((address): address is string => Boolean(address));
  const rules = "see iptables -t nat -S POSTROUTING";
  if (!peer)
    return {
      held: false,
      detail: "connected, but the outside's greeting named no peer",
      hint: "the outside answered without naming whom it saw: only netlab's outside (to: outside) says it",
    };
  const isHost = peer === hostAddress;
  const isOwn = own.includes(peer);
  const whose = isHost
    ? "the host's address"
    : isOwn
      ? "the source's own address"
      : "an address that is neither the host's nor the source's";
  const detail = `connected; the outside saw ${peer}, ${whose} (host ${hostAddress ?? "?"}; source ${own.join(", ") || "?"})`;
  const held = expectation.seenAs === "host" ? isHost : isOwn;
  if (held) return { held, detail };
  if (expectation.seenAs === "host" && isOwn) {
    return {
      held,
      detail,
      hint: `the outside saw the source's own address: nothing rewrote it on the way out; NAT it as Docker does for docker0: iptables -t nat -A POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE (${rules})`,
    };
  }
  if (isHost)
    return {
      held,
      detail,
      hint: `the outside saw the host's address: a MASQUERADE or SNAT rule rewrote the source on the way out (${rules})`,
    };
  return {
    held,
    detail,
    hint: `the outside saw ${peer}: an SNAT rule to another address, or a source address netlab did not see in the namespace (${rules})`,
  };
}

function judge(
  expectation: ReachExpectation,
  plan: ProbePlan,
  results: ProbeResult[],
  view: SiteView,
  context: PlanContext,
): ProbeJudgement {
  const { outcome, detail } = combine(plan, results);
  if (expectation.seenAs && outcome === "connected")
    return { ...judgeSeenAs(expectation, results, view, context), outcome };
  return { held: holds(expectation.expected, outcome), outcome, detail };
}

/** Does `from` reach `to`: one connect per address the destination has; matrix cells are reach expectations too. */
export const reach: ExpectationKind<ReachExpectation> = {
  kind: "reach",
  ...probedBetween((expectation: ReachExpectation) => ({ from: expectation.from, to: expectation.to })),
  outside: (expectation) => expectation.from.kind === "outside" || expectation.to.kind === "outside",
  decide: { by: "probes", from: (expectation) => expectation.from, plan: planReach, judge },
  route: (expectation) => ({ from: formatEndpoint(expectation.from), to: formatEndpoint(expectation.to) }),
  expected: (expectation) => {
    const seenAs =
      expectation.seenAs === undefined ? "" : expectation.seenAs === "host" ? ", seen as the host" : ", seen as itself";
    const family = expectation.ip === 6 ? " over IPv6" : "";
    return "outcome" in expectation.expected
      ? `outcome ${expectation.expected.outcome}${family}`
      : `reach ${expectation.expected.reach ? "yes" : "no"}${family}${seenAs}`;
  },
  // With seen-as, "connected" is half of it: the detail says whom the outside saw.
  observed: ({ expectation, observed }) => {
    if (refusedOnPath(expectation.expected, observed.outcome)) return REFUSED_ON_PATH;
    return expectation.seenAs && observed.outcome === "connected"
      ? observed.detail
      : (observed.outcome ?? observed.detail);
  },
  seen: ({ observed }) => observed.detail || undefined,
  // Version 2's "no" leaves refused out, so a matrix cell that saw a refusal is marked as the mismatch it is.
  asserted: (expectation) => holdingOutcomes(expectation.expected),
  ends: (expectation) => ({ from: nameOf(expectation.from), to: nameOf(expectation.to) }),
  hint: reachHint,
};
