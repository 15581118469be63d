import type { Outcome, ProbeResult } from "../core/outcome.js";
import type { Expectation } from "../core/check-file/expectations.js";
import type { SiteView } from "../probes/probe-batch.js";

/** What one try of an expectation saw. */
export interface Attempt {
  attempt: number;
  at: number;
  outcome?: Outcome;
  detail: string;
  probes: ProbeResult[];
}

/** One expectation, decided: the flat result record every report writer reads. */
export interface Decision<E extends Expectation = Expectation> {
  expectation: E;
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
