import type { Outcome, ProbeResult } from "../../core/outcome.js";
import type { Endpoint, Expectation } from "../../core/check-file/expectations.js";
import type { SiteView } from "../../probes/probe-batch.js";
import type { Decision } from "../decision.js";
import type { PlanContext, ProbePlan } from "../plan-probes.js";
import type { StateJudgement, StateView } from "../state-view.js";
import type { Target } from "../target.js";
import type { HintContext } from "../hint-context.js";

export type { HintContext };

/** One try of a probed expectation, judged from its probes' results. */
export interface ProbeJudgement {
  held: boolean;
  outcome?: Outcome;
  detail: string;
  addresses?: string[];
  hint?: string;
}

/** Decided by probes run from a site; the check batches every probe of one site and retries within `within`. */
export interface ProbeDecider<E extends Expectation> {
  by: "probes";
  /** Where its probes run. */
  from(expectation: E): Endpoint;
  plan(expectation: E, context: PlanContext): ProbePlan;
  judge(expectation: E, plan: ProbePlan, results: ProbeResult[], view: SiteView, context: PlanContext): ProbeJudgement;
}

/** Decided from what the engine and the host report; the check re-reads within `within`. */
export interface EngineDecider<E extends Expectation> {
  by: "engine";
  judge(expectation: E, targets: Map<string, Target>, view: StateView): Promise<StateJudgement>;
}

/** Decided once from the containers as they were found. */
export interface FoundDecider<E extends Expectation> {
  by: "found";
  judge(expectation: E, targets: Map<string, Target>): { held: boolean; observed: Decision["observed"] };
}

/** What an expectation names: containers (running or not), Docker networks, named network namespaces. */
export interface Names {
  containers: string[];
  networks: string[];
  namespaces: string[];
}

/**
 * One expectation kind: what it names, how it is decided, how it reads in text, its hints. A kind's module
 * exports one of these and the registry (registry.ts) dispatches on it; nothing else looks at kind names.
 */
export interface ExpectationKind<E extends Expectation = Expectation> {
  kind: E["kind"];
  /** Everything it names, so an exercise can require each name to be listed. */
  names(expectation: E): Names;
  /** The containers that must be found running before it is decided. */
  running(expectation: E): string[];
  /** Containers a probe sidecar joins: where its probes run, or whose interfaces are read from inside. */
  sidecars?(expectation: E): string[];
  /** Whether it needs the outside (the sentinel). */
  outside?(expectation: E): boolean;
  /** Whether it reads this machine's own state (the host's tables, links, routes): refused with a remote engine. */
  thisMachine?(expectation: E): boolean;
  decide: ProbeDecider<E> | EngineDecider<E> | FoundDecider<E>;
  /** Its two ends, in the spec's words. */
  route(expectation: E): { from: string; to: string };
  /** What was expected, in the spec's words: `reach yes`, `outcome timed-out`, `resolves`, `publishes …`. */
  expected(expectation: E): string;
  /** What was observed, in the expectation's terms; the observed detail unless given. */
  observed?(decision: Decision<E>): string;
  /** The probe's own words, when they say more than the observed text. */
  seen?(decision: Decision<E>): string | undefined;
  /** The outcomes asserted on the probe that decided it, for kinds decided by probes. */
  asserted?(expectation: E): Outcome[];
  /** The containers whose networks a report lists beside it. */
  ends?(expectation: E): { from?: string | undefined; to?: string | undefined };
  /** The likely Docker construct behind a failure; kinds decided from the engine give theirs as they judge. */
  hint?(expectation: E, observed: Outcome | undefined, context: HintContext): string | undefined;
}
