import type { ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { runBatch } from "../probes/probe-batch.js";
import type { Expectation } from "../core/check-file/expectations.js";
import type { Attempt, Decision } from "./decision.js";
import type { EngineDecider, FoundDecider, HintContext, ProbeDecider } from "./kinds/kind.js";
import { kindOf } from "./kinds/registry.js";
import type { StateView } from "./state-view.js";
import { PlanError, siteName, siteOf, type PlanContext, type ProbePlan, type SiteKey } from "./plan-probes.js";
import { whileNetworksSteady } from "../runtime/churn-lock.js";

export type { Decision } from "./decision.js";

/** Time as deciding reads it: the wall clock, or a test's own so that tries and durations do not depend on load. */
export interface DecideClock {
  now(): number;
  pause(ms: number): Promise<void>;
}

const WALL_CLOCK: DecideClock = {
  now: () => Date.now(),
  pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

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

/** An expectation with its kind's way of being decided by probes. */
interface Probed {
  expectation: Expectation;
  decider: ProbeDecider<Expectation>;
}

function found(expectation: Expectation, decider: FoundDecider<Expectation>, context: DecideContext): Decision {
  const startedAt = (context.clock ?? WALL_CLOCK).now();
  const { held, observed } = decider.judge(expectation, context.plan.targets);
  const decision: Decision = {
    expectation,
    held,
    observed,
    probes: [],
    attempts: [{ attempt: 1, at: startedAt, detail: observed.detail, probes: [] }],
    startedAt,
    durationMs: 0,
  };
  if (!held) decision.hint = kindOf(expectation).hint?.(expectation, undefined, context.hints);
  return decision;
}

/** The probes whose time is the decision's: the ones that connected when one did, else all of them. */
function deciding(outcome: string | undefined, results: ProbeResult[]): ProbeResult[] {
  const connected = results.filter((result) => result.outcome === "connected");
  return outcome === "connected" && connected.length > 0 ? connected : results;
}

/**
 * An expectation whose probes cannot be planned (`ip: 6` toward a container with no IPv6 address): it fails with
 * the plan's reason, and the others are still decided.
 */
function unplanned(expectation: Expectation, error: PlanError, startedAt: number): Decision {
  const detail = `not probed: ${error.message}`;
  return {
    expectation,
    held: false,
    observed: { detail },
    probes: [],
    attempts: [{ attempt: 1, at: startedAt, detail, probes: [] }],
    startedAt,
    durationMs: 0,
  };
}

/**
 * Decides the expectations that start from one site: every probe of every pending expectation in one
 * batch; an expectation that does not hold yet is tried again only while its `within` lasts.
 */
async function decideFrom(site: ProbeSite, expectations: Probed[], context: DecideContext): Promise<Decision[]> {
  const clock = context.clock ?? WALL_CLOCK;
  const startedAt = clock.now();
  const plans = new Map<Probed, ProbePlan>();
  const decided: Decision[] = [];
  for (const probed of expectations) {
    try {
      plans.set(probed, probed.decider.plan(probed.expectation, context.plan));
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      const decision = unplanned(probed.expectation, error, startedAt);
      context.onDecided?.(decision);
      decided.push(decision);
    }
  }
  const attempts = new Map<Probed, Attempt[]>(expectations.map((probed) => [probed, []]));
  let pending = expectations.filter((probed) => plans.has(probed));
  for (let round = 1; pending.length > 0; round++) {
    const items = pending.flatMap((probed) => plans.get(probed)!.probes.map((probe) => probe.item));
    // Some of these may be asserted blocked: never while a network is created or removed (see churn-lock).
    const { results, view } = await whileNetworksSteady(`probes from ${site.name}`, () =>
      runBatch(site, items, context.timeoutMs, context.engineTimeoutMs),
    );
    const at = clock.now();
    let offset = 0;
    const next: Probed[] = [];
    for (const probed of pending) {
      const { expectation, decider } = probed;
      const plan = plans.get(probed)!;
      const mine: ProbeResult[] = results.slice(offset, offset + plan.probes.length);
      offset += plan.probes.length;
      const { held, addresses, hint, ...attempt } = decider.judge(expectation, plan, mine, view, context.plan);
      attempts.get(probed)!.push({ attempt: round, at, ...attempt, probes: mine });
      if (!held && at - startedAt < expectation.withinMs) {
        next.push(probed);
        continue;
      }
      const decision: Decision = {
        expectation,
        held,
        observed: {
          ...(attempt.outcome ? { outcome: attempt.outcome } : {}),
          detail: attempt.detail,
          ...(addresses ? { addresses } : {}),
        },
        probes: mine,
        view,
        attempts: attempts.get(probed)!,
        startedAt,
        // Decided by its first round: its own probes' time (measured inside the batch), not the whole round's,
        // which the slowest probe beside it sets. Tried again within `within`: the wall clock it kept trying.
        // A connection made decides on its own: another address of the target timing out beside it is not its time.
        durationMs:
          round === 1 ? Math.max(0, ...deciding(attempt.outcome, mine).map((r) => r.durationMs)) : at - startedAt,
      };
      if (!held) decision.hint = hint ?? kindOf(expectation).hint?.(expectation, attempt.outcome, context.hints);
      context.onDecided?.(decision);
      decided.push(decision);
    }
    pending = next;
    if (pending.length > 0) await clock.pause(context.pollMs ?? 500);
  }
  return decided;
}

/** Decides an expectation from what the engine and host report, re-reading only while its `within` lasts. */
async function decideFromEngine(
  expectation: Expectation,
  decider: EngineDecider<Expectation>,
  context: DecideContext,
): Promise<Decision> {
  if (!context.state)
    throw new Error(`expectation "${expectation.id}" needs the engine's view, which this check was not given`);
  const clock = context.clock ?? WALL_CLOCK;
  const startedAt = clock.now();
  const attempts: Attempt[] = [];
  for (let round = 1; ; round++) {
    const judged = await decider.judge(expectation, context.hints.targets, context.state);
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
    const decider = kindOf(expectation).decide;
    if (decider.by === "engine") {
      stateful.push(
        decideFromEngine(expectation, decider, context).then((decision) => {
          context.onDecided?.(decision);
          return decision;
        }),
      );
      continue;
    }
    if (decider.by === "found") {
      const decision = found(expectation, decider, context);
      context.onDecided?.(decision);
      decided.push(decision);
      continue;
    }
    const key = siteOf(decider.from(expectation));
    const group = bySite.get(siteName(key)) ?? { key, expectations: [] };
    group.expectations.push({ expectation, decider });
    bySite.set(siteName(key), group);
  }
  const [groups, states] = await Promise.all([
    Promise.all([...bySite.values()].map((group) => decideFrom(context.site(group.key), group.expectations, context))),
    Promise.all(stateful),
  ]);
  decided.push(...groups.flat(), ...states);
  const order = new Map(expectations.map((expectation, index) => [expectation, index]));
  return decided.sort((a, b) => order.get(a.expectation)! - order.get(b.expectation)!);
}
