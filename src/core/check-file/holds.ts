import { OUTCOMES, type Outcome } from "../outcome.js";

/**
 * reach yes/no, or one exact outcome. `refusedHolds`: a refusal counts as "no" (spec version 1). From version 2
 * on, "no" means no path: a refusal proves a path to a closed port, so an isolation expectation never holds on it.
 */
export type ReachExpected = { reach: boolean; refusedHolds?: boolean } | { outcome: Outcome };

// No path: the packet never got an answer, or the network said there is no way there.
const NO_PATH: ReadonlySet<Outcome> = new Set(["timed-out", "unreachable", "host-unreachable"]);

/** Whether an observed connect outcome satisfies what a reach expectation expects; `failed` (the probe itself broke) never holds. */
export function holds(expected: ReachExpected, observed: Outcome): boolean {
  if ("outcome" in expected) return observed === expected.outcome;
  if (expected.reach) return observed === "connected";
  return NO_PATH.has(observed) || (expected.refusedHolds === true && observed === "refused");
}

/** Every outcome that satisfies it, in OUTCOMES order: what a report marks as expected in a matrix cell. */
export function holdingOutcomes(expected: ReachExpected): Outcome[] {
  return OUTCOMES.filter((outcome) => holds(expected, outcome));
}

/** A version-2 `reach: no` that saw a refusal: the port is closed, but something answered, so a path is open. */
export function refusedOnPath(expected: ReachExpected, observed: Outcome | undefined): boolean {
  return "reach" in expected && !expected.reach && expected.refusedHolds !== true && observed === "refused";
}
