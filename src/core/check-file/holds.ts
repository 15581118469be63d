import type { Outcome } from "../outcome.js";

export type ReachExpected = { reach: boolean } | { outcome: Outcome };

// "Not reachable" is any way a connection can fail on the network; `failed` (the probe itself broke) never holds.
const NOT_REACHED: ReadonlySet<Outcome> = new Set(["refused", "timed-out", "unreachable", "host-unreachable"]);

/** Whether an observed connect outcome satisfies what a reach expectation expects. */
export function holds(expected: ReachExpected, observed: Outcome): boolean {
  if ("outcome" in expected) return observed === expected.outcome;
  return expected.reach ? observed === "connected" : NOT_REACHED.has(observed);
}
