import type { Outcome, ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { runBatch, type SiteView } from "./batch-probe.js";
import { publishedMatches } from "./published-match.js";
import { holds, isStateExpectation, type Expectation, type StateExpectation } from "../core/spec/expectations.js";
import { judgeState, type StateView } from "./decide-state.js";
import { hintFor, type HintContext } from "./hints.js";
import { combine, planReach, planResolve, resolveHolds, siteName, siteOf, type PlanContext, type ProbePlan, type SiteKey } from "./plan-probes.js";
import { whileNetworksSteady } from "../runtime/churn-lock.js";

/** What one try of an expectation saw. */
export interface Attempt {
  attempt: number;
  at: number;
  outcome?: Outcome;
  detail: string;
  probes: ProbeResult[];
}

/** One expectation, decided: the flat result record every report writer reads. */
export interface Decision {
  expectation: Expectation;
  held: boolean;
  /** What was seen, in the expectation's terms (an outcome, an answer, a set of ports). */
  observed: { outcome?: Outcome; detail: string; addresses?: string[]; published?: string[] };
  /** The source's own addresses and routes when it probed (absent for `publishes`). */
  view?: SiteView;
  probes: ProbeResult[];
  /** Every try, oldest first; more than one only for an expectation with `within`. */
  attempts: Attempt[];
  hint?: string;
  /** The command that shows what was observed, for expectations decided without a probe (state kinds). */
  command?: string;
  startedAt: number;
  durationMs: number;
}

/** Time as deciding reads it: the wall clock, or a test's own so that tries and durations do not depend on load. */
export interface DecideClock {
  now(): number;
  pause(ms: number): Promise<void>;
}

const WALL_CLOCK: DecideClock = { now: () => Date.now(), pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export interface DecideContext {
  plan: PlanContext;
  hints: HintContext;
  site(key: SiteKey): ProbeSite;
  timeoutMs: number;
  /** Bound on each engine call (an exec), beyond the probes' own timeout. */
  engineTimeoutMs?: number;
  /** Pause between tries of an expectation that is not yet true. */
  pollMs?: number;
  /** The wall clock unless given. */
  clock?: DecideClock;
  onDecided?(decision: Decision): void;
  /** What state expectations (network, docker-network, address, interfaces, container) read; needed only when a spec has some. */
  state?: StateView;
}

type Probed = Exclude<Expectation, { kind: "publishes" } | StateExpectation>;

function planOf(expectation: Probed, context: PlanContext): ProbePlan {
  return expectation.kind === "reach" ? planReach(expectation, context) : planResolve(expectation);
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
function judgeSeenAs(expectation: Extract<Probed, { kind: "reach" }>, results: ProbeResult[], view: SiteView, context: DecideContext): { held: boolean; detail: string; hint?: string } {
  const peer = peerSeen(results);
  const hostAddress = context.plan.outside?.hostAddress;
  const own = view.addresses.map((entry) => entry.split(" ")[1]?.split("/")[0]).filter((address): address is string => Boolean(address));
  const rules = "see iptables -t nat -S POSTROUTING";
  if (!peer) return { held: false, detail: "connected, but the outside's greeting named no peer", hint: "the outside answered without naming whom it saw: only netlab's outside (to: outside) says it" };
  const isHost = peer === hostAddress;
  const isOwn = own.includes(peer);
  const whose = isHost ? "the host's address" : isOwn ? "the source's own address" : "an address that is neither the host's nor the source's";
  const detail = `connected; the outside saw ${peer}, ${whose} (host ${hostAddress ?? "?"}; source ${own.join(", ") || "?"})`;
  const held = expectation.seenAs === "host" ? isHost : isOwn;
  if (held) return { held, detail };
  if (expectation.seenAs === "host" && isOwn) {
    return { held, detail, hint: `the outside saw the source's own address: nothing rewrote it on the way out; NAT it as Docker does for docker0: iptables -t nat -A POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE (${rules})` };
  }
  if (isHost) return { held, detail, hint: `the outside saw the host's address: a MASQUERADE or SNAT rule rewrote the source on the way out (${rules})` };
  return { held, detail, hint: `the outside saw ${peer}: an SNAT rule to another address, or a source address netlab did not see in the namespace (${rules})` };
}

function judge(expectation: Probed, plan: ProbePlan, results: ProbeResult[], view: SiteView, context: DecideContext): Omit<Attempt, "attempt" | "at"> & { held: boolean; addresses?: string[]; hint?: string } {
  if (expectation.kind === "resolve") {
    const [result] = results;
    if (!result) return { held: false, outcome: "failed", detail: "no lookup result", probes: results };
    const held = resolveHolds(expectation, result, context.plan.targets);
    return { held, outcome: result.outcome, detail: result.detail, probes: results, ...(result.addresses ? { addresses: result.addresses } : {}) };
  }
  const { outcome, detail } = combine(plan, results);
  if (expectation.seenAs && outcome === "connected") return { ...judgeSeenAs(expectation, results, view, context), outcome, probes: results };
  return { held: holds(expectation.expected, outcome), outcome, detail, probes: results };
}

function publishes(expectation: Extract<Expectation, { kind: "publishes" }>, context: DecideContext): Decision {
  const startedAt = (context.clock ?? WALL_CLOCK).now();
  const published = context.plan.targets.get(expectation.container)?.published ?? [];
  const held = publishedMatches(expectation.ports, published);
  const detail = `publishes ${published.length ? published.join(", ") : "nothing"}`;
  const decision: Decision = { expectation, held, observed: { detail, published }, probes: [], attempts: [{ attempt: 1, at: startedAt, detail, probes: [] }], startedAt, durationMs: 0 };
  if (!held) decision.hint = hintFor(expectation, undefined, context.hints);
  return decision;
}

/**
 * Decides the expectations that start from one site: every probe of every pending expectation in one
 * batch; an expectation that does not hold yet is tried again only while its `within` lasts.
 */
async function decideFrom(site: ProbeSite, expectations: Probed[], context: DecideContext): Promise<Decision[]> {
  const clock = context.clock ?? WALL_CLOCK;
  const startedAt = clock.now();
  const plans = new Map(expectations.map((expectation) => [expectation, planOf(expectation, context.plan)]));
  const attempts = new Map<Probed, Attempt[]>(expectations.map((expectation) => [expectation, []]));
  const decided: Decision[] = [];
  let pending = expectations;
  for (let round = 1; pending.length > 0; round++) {
    const items = pending.flatMap((expectation) => plans.get(expectation)!.probes.map((probe) => probe.item));
    // Some of these may be asserted blocked: never while a network is created or removed (see churn-lock).
    const { results, view } = await whileNetworksSteady(`probes from ${site.name}`, () => runBatch(site, items, context.timeoutMs, context.engineTimeoutMs));
    const at = clock.now();
    let offset = 0;
    const next: Probed[] = [];
    for (const expectation of pending) {
      const plan = plans.get(expectation)!;
      const mine = results.slice(offset, offset + plan.probes.length);
      offset += plan.probes.length;
      const { held, addresses, hint, ...attempt } = judge(expectation, plan, mine, view, context);
      attempts.get(expectation)!.push({ attempt: round, at, ...attempt });
      if (!held && at - startedAt < expectation.withinMs) {
        next.push(expectation);
        continue;
      }
      const decision: Decision = {
        expectation,
        held,
        observed: { ...(attempt.outcome ? { outcome: attempt.outcome } : {}), detail: attempt.detail, ...(addresses ? { addresses } : {}) },
        probes: mine,
        view,
        attempts: attempts.get(expectation)!,
        startedAt,
        durationMs: at - startedAt,
      };
      if (!held) decision.hint = hint ?? hintFor(expectation, attempt.outcome, context.hints);
      context.onDecided?.(decision);
      decided.push(decision);
    }
    pending = next;
    if (pending.length > 0) await clock.pause(context.pollMs ?? 500);
  }
  return decided;
}

/** Decides a state expectation from what the engine and host report, re-reading only while its `within` lasts. */
async function decideState(expectation: StateExpectation, context: DecideContext): Promise<Decision> {
  if (!context.state) throw new Error(`expectation "${expectation.id}" needs the engine's view, which this check was not given`);
  const clock = context.clock ?? WALL_CLOCK;
  const startedAt = clock.now();
  const attempts: Attempt[] = [];
  for (let round = 1; ; round++) {
    const judged = await judgeState(expectation, context.hints.targets, context.state);
    const at = clock.now();
    attempts.push({ attempt: round, at, detail: judged.detail, probes: [] });
    if (judged.held || at - startedAt >= expectation.withinMs) {
      return {
        expectation,
        held: judged.held,
        observed: { detail: judged.detail },
        probes: [],
        attempts,
        ...(judged.held || judged.hint === undefined ? {} : { hint: judged.hint }),
        command: judged.command,
        startedAt,
        durationMs: at - startedAt,
      };
    }
    await clock.pause(context.pollMs ?? 500);
  }
}

/** Decides every expectation, sites concurrently; the result keeps the spec's order. */
export async function decideAll(expectations: Expectation[], context: DecideContext): Promise<Decision[]> {
  const bySite = new Map<string, { key: SiteKey; expectations: Probed[] }>();
  const decided: Decision[] = [];
  const stateful: Promise<Decision>[] = [];
  for (const expectation of expectations) {
    if (isStateExpectation(expectation)) {
      stateful.push(
        decideState(expectation, context).then((decision) => {
          context.onDecided?.(decision);
          return decision;
        }),
      );
      continue;
    }
    if (expectation.kind === "publishes") {
      const decision = publishes(expectation, context);
      context.onDecided?.(decision);
      decided.push(decision);
      continue;
    }
    const key = siteOf(expectation.from);
    const group = bySite.get(siteName(key)) ?? { key, expectations: [] };
    group.expectations.push(expectation);
    bySite.set(siteName(key), group);
  }
  const [groups, states] = await Promise.all([Promise.all([...bySite.values()].map((group) => decideFrom(context.site(group.key), group.expectations, context))), Promise.all(stateful)]);
  decided.push(...groups.flat(), ...states);
  const order = new Map(expectations.map((expectation, index) => [expectation, index]));
  return decided.sort((a, b) => order.get(a.expectation)! - order.get(b.expectation)!);
}
