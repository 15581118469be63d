import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { formatEndpoint } from "../../core/check-file/endpoint.js";
import type { ResolveExpectation } from "../../core/check-file/expectations.js";
import { namesIn, siteOf, type PlanContext, type ProbePlan } from "../plan-probes.js";
import { addressesOf, type Target } from "../target.js";
import type { SiteView } from "../../probes/probe-batch.js";
import type { ExpectationKind, HintContext, ProbeJudgement } from "./kind.js";
import { foundOrNone, list, networksOf, nameOf } from "./words.js";

const UNRESOLVED: Outcome[] = ["not-found", "timed-out", "refused", "unreachable", "failed"];

/** The lookup that decides a resolve expectation, made with the source's own resolver (its resolv.conf). */
export function planResolve(expectation: ResolveExpectation): ProbePlan {
  return {
    site: siteOf(expectation.from),
    probes: [{ item: { kind: "dns", name: expectation.lookup }, shared: false }],
  };
}

/** Whether a lookup's answer holds: resolving to an address of the named container, or not resolving at all. */
export function resolveHolds(
  expectation: ResolveExpectation,
  result: ProbeResult,
  targets: Map<string, Target>,
): boolean {
  const resolved = result.outcome === "resolved";
  if (!expectation.expected.resolves) return !resolved;
  const named = targets.get(expectation.lookup);
  return resolved && (!named || (result.addresses ?? []).some((address) => addressesOf(named).includes(address)));
}

function judge(
  expectation: ResolveExpectation,
  _plan: ProbePlan,
  results: ProbeResult[],
  _view: SiteView,
  context: PlanContext,
): ProbeJudgement {
  const [result] = results;
  if (!result) return { held: false, outcome: "failed", detail: "no lookup result" };
  const held = resolveHolds(expectation, result, context.targets);
  return {
    held,
    outcome: result.outcome,
    detail: result.detail,
    ...(result.addresses ? { addresses: result.addresses } : {}),
  };
}

function hint(
  expectation: ResolveExpectation,
  _observed: Outcome | undefined,
  context: HintContext,
): string | undefined {
  const source = foundOrNone(context.targets, nameOf(expectation.from));
  const named = context.targets.get(expectation.lookup);
  if (!expectation.expected.resolves)
    return named && source
      ? `Docker's DNS answers for containers on a common user-defined network: ${source.name} and ${named.name} share one`
      : undefined;
  if (source && networksOf(source).every((network) => network === "bridge")) {
    return `names resolve only on user-defined networks: ${source.name} is on the default bridge (docker network create NET, then docker run --network NET …)`;
  }
  if (source && named && networksOf(source).every((network) => !networksOf(named).includes(network))) {
    return `Docker's DNS answers only for containers on a common network: ${source.name} (${list(networksOf(source))}) and ${named.name} (${list(networksOf(named))}) share none`;
  }
  return undefined;
}

/** Whether a name resolves from inside a container, a namespace, the host or the outside (to the named container's address). */
export const resolve: ExpectationKind<ResolveExpectation> = {
  kind: "resolve",
  names: (expectation) => ({
    containers: [...namesIn(expectation.from), expectation.lookup],
    networks: [],
    namespaces: expectation.from.kind === "netns" ? [expectation.from.name] : [],
  }),
  running: (expectation) => namesIn(expectation.from),
  sidecars: (expectation) => namesIn(expectation.from),
  outside: (expectation) => expectation.from.kind === "outside",
  decide: { by: "probes", from: (expectation) => expectation.from, plan: planResolve, judge },
  route: (expectation) => ({ from: formatEndpoint(expectation.from), to: expectation.lookup }),
  expected: (expectation) => (expectation.expected.resolves ? "resolves" : "does not resolve"),
  observed: ({ observed }) =>
    observed.outcome === "resolved"
      ? `resolved to ${observed.addresses?.join(", ")}`
      : `${observed.outcome}: ${observed.detail}`,
  asserted: (expectation) => (expectation.expected.resolves ? ["resolved"] : UNRESOLVED),
  ends: (expectation) => ({ from: nameOf(expectation.from), to: expectation.lookup }),
  hint,
};
