import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { formatEndpoint } from "../../core/check-file/endpoint.js";
import { resolveAnswerWords, type ResolveExpectation } from "../../core/check-file/expectations.js";
import type { ResolveItem } from "../../core/check-file/resolve-item.js";
import { namesIn, siteOf, type PlanContext, type ProbePlan } from "../plan-probes.js";
import { addressesOf, type Target } from "../target.js";
import type { SiteView } from "../../probes/probe-batch.js";
import type { ExpectationKind, HintContext, ProbeJudgement } from "./kind.js";
import { itemAddresses, judgeAnswer } from "./resolve-answer.js";
import { foundOrNone, list, networksOf, nameOf } from "./words.js";
import { candidatesWords, parseLookupTrace, resolverWords } from "../../probes/lookup-trace.js";
import { EMBEDDED_DNS } from "../../probes/resolv-conf.js";

const UNRESOLVED: Outcome[] = ["not-found", "timed-out", "refused", "unreachable", "failed"];

/** The lookup that decides a resolve expectation, made as the source's programs make it: /etc/hosts, then DNS. */
export function planResolve(expectation: ResolveExpectation): ProbePlan {
  return {
    site: siteOf(expectation.from),
    probes: [{ item: { kind: "lookup", name: expectation.lookup }, shared: false }],
  };
}

/** The items a resolve lists (`addresses` and `includes`). */
function itemsOf(expectation: ResolveExpectation): ResolveItem[] {
  return [...(expectation.expected.addresses ?? []), ...(expectation.expected.includes ?? [])];
}

/** The containers and services its items name, which must be found (and running) to know their addresses. */
function namedByItems(expectation: ResolveExpectation): string[] {
  return itemsOf(expectation).flatMap((item) =>
    item.kind === "name" ? [item.name] : item.kind === "address" ? [] : [item.service],
  );
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

/** Whether the answer is what `addresses`/`includes`/`count` say, and each miss in words. */
export function answerHolds(
  expectation: ResolveExpectation,
  result: ProbeResult,
  targets: ReadonlyMap<string, Target>,
): { held: boolean; misses: string[] } {
  const { expected, from } = expectation;
  const source = from.kind === "name" ? targets.get(from.name) : undefined;
  const exact = expected.addresses && itemAddresses(expected.addresses, source, targets);
  const least = expected.includes && itemAddresses(expected.includes, source, targets);
  const judged = judgeAnswer(expected, result.addresses ?? [], exact?.groups, least?.groups);
  const problems = [...(exact?.problems ?? []), ...(least?.problems ?? [])];
  return { held: judged.held && problems.length === 0, misses: [...problems, ...judged.misses] };
}

/** The likely cause of an answer that is not the one written: where the answer came from, and who answers to the name. */
function answerHint(expectation: ResolveExpectation, result: ProbeResult, targets: Map<string, Target>): string {
  const from = formatEndpoint(expectation.from);
  if (result.detail.includes("from /etc/hosts"))
    return expectation.from.kind === "name"
      ? `${from}'s /etc/hosts lists ${expectation.lookup} (--add-host or --link), so its DNS is never asked: see it with docker inspect -f '{{.HostConfig.ExtraHosts}} {{.HostConfig.Links}}' ${from}`
      : `${from}'s /etc/hosts lists ${expectation.lookup}, so its DNS is never asked`;
  const source = foundOrNone(targets, nameOf(expectation.from));
  const network = source ? networksOf(source).find((each) => each !== "bridge") : undefined;
  return `every container that answers to ${expectation.lookup} on a network ${from} is on is in the answer: give one the name with docker network connect --alias ${expectation.lookup} ${network ?? "NET"} CONTAINER (or docker run --network-alias), take it away by disconnecting it`;
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
  const observed = {
    outcome: result.outcome,
    ...(result.addresses ? { addresses: result.addresses } : {}),
  };
  const { expected } = expectation;
  const written = itemsOf(expectation).length > 0 || expected.count !== undefined;
  // What it resolves to, when written, says more than "an address of the container it is named after".
  if (!written || result.outcome !== "resolved") {
    const held = resolveHolds(expectation, result, context.targets);
    const why =
      held || result.outcome === "resolved" ? undefined : unresolvedHint(expectation, result, context.targets);
    return { held, ...observed, detail: result.detail, ...(why ? { hint: why } : {}) };
  }
  const { held, misses } = answerHolds(expectation, result, context.targets);
  if (held) return { held, ...observed, detail: result.detail };
  return {
    held,
    ...observed,
    detail: `${result.detail}; ${misses.join("; ")}`,
    hint: answerHint(expectation, result, context.targets),
  };
}

/**
 * Why a name that should resolve did not: what Docker's DNS answers for (when the setup explains it), then what
 * the lookup asked, of which resolver, and what each candidate got.
 */
function unresolvedHint(
  expectation: ResolveExpectation,
  result: ProbeResult,
  targets: Map<string, Target>,
): string | undefined {
  const setup = setupHint(expectation, targets);
  const trace = result.reply ? parseLookupTrace(result.reply) : undefined;
  if (!trace) return setup;
  const from = formatEndpoint(expectation.from);
  const asked = `${from} asked ${trace.servers.join(", ") || "no nameserver"} (its /etc/resolv.conf: ${resolverWords(trace)}) for ${candidatesWords(trace.candidates)}, and none answered with an address`;
  const embedded = trace.servers.includes(EMBEDDED_DNS)
    ? `; ${EMBEDDED_DNS} is Docker's embedded DNS: it answers for the containers and --network-alias names on ${from}'s user-defined networks and forwards any other name to the servers given with --dns (none given: the host's)`
    : "";
  const slow = trace.candidates.some((candidate) => candidate.outcome === "timed-out")
    ? "; a time-out is a server that never answered (or the one it forwards to)"
    : "";
  const see = expectation.from.kind === "name" ? `: see it with docker exec ${from} cat /etc/resolv.conf` : "";
  return [setup, `${asked}${embedded}${slow}${see}`].filter(Boolean).join("; ");
}

function hint(
  expectation: ResolveExpectation,
  _observed: Outcome | undefined,
  context: HintContext,
): string | undefined {
  return setupHint(expectation, context.targets);
}

/** The Docker construct that explains a name's answer: the default bridge, or no network shared with the container named. */
function setupHint(expectation: ResolveExpectation, targets: Map<string, Target>): string | undefined {
  const source = foundOrNone(targets, nameOf(expectation.from));
  const named = targets.get(expectation.lookup);
  if (!expectation.expected.resolves)
    return named && source
      ? `Docker's DNS answers for containers on a common user-defined network: ${source.name} and ${named.name} share one`
      : undefined;
  if (source && networksOf(source).every((network) => network === "bridge")) {
    // On the default bridge only /etc/hosts answers for a container: --link writes it there, as --add-host does.
    return `on the default bridge Docker's DNS answers for no container: a name resolves there only from /etc/hosts (docker run --link CONTAINER:${expectation.lookup}, or --add-host ${expectation.lookup}:ADDRESS), or put both on a user-defined network (docker network create NET, then docker run --network NET …)`;
  }
  if (source && named && networksOf(source).every((network) => !networksOf(named).includes(network))) {
    return `Docker's DNS answers only for containers on a common network: ${source.name} (${list(networksOf(source))}) and ${named.name} (${list(networksOf(named))}) share none`;
  }
  return undefined;
}

/** The lookup's own words, candidate by candidate: `api.corp.example.: no answer …; api.: ** server can't find …`. */
function lookupWords(result: ProbeResult | undefined): string | undefined {
  const trace = result?.reply ? parseLookupTrace(result.reply) : undefined;
  if (!trace || trace.candidates.length === 0) return undefined;
  return trace.candidates.map((candidate) => `${candidate.name}: ${candidate.words || candidate.short}`).join("; ");
}

/**
 * Whether a name resolves from inside a container, a namespace, the host or the outside, and to what: an
 * address of the named container, or the exact set, at least some, or how many addresses written.
 */
export const resolve: ExpectationKind<ResolveExpectation> = {
  kind: "resolve",
  names: (expectation) => ({
    containers: [...new Set([...namesIn(expectation.from), expectation.lookup, ...namedByItems(expectation)])],
    networks: [],
    namespaces: expectation.from.kind === "netns" ? [expectation.from.name] : [],
  }),
  running: (expectation) => [...new Set([...namesIn(expectation.from), ...namedByItems(expectation)])],
  sidecars: (expectation) => namesIn(expectation.from),
  outside: (expectation) => expectation.from.kind === "outside",
  decide: { by: "probes", from: (expectation) => expectation.from, plan: planResolve, judge },
  route: (expectation) => ({ from: formatEndpoint(expectation.from), to: expectation.lookup }),
  expected: (expectation) =>
    expectation.expected.resolves ? `resolves${resolveAnswerWords(expectation.expected)}` : "does not resolve",
  observed: ({ observed }) =>
    observed.outcome === "resolved" ? `resolved to ${observed.detail}` : `${observed.outcome}: ${observed.detail}`,
  asserted: (expectation) => (expectation.expected.resolves ? ["resolved"] : UNRESOLVED),
  ends: (expectation) => ({ from: nameOf(expectation.from), to: expectation.lookup }),
  seen: ({ probes }) => lookupWords(probes[0]),
  hint,
};
