import type { IpFamily } from "../../core/check-file/endpoint.js";
import type { Endpoint, ReachExpectation, Target } from "../../core/check-file/expectations.js";

/**
 * The reach expectation a probe of another kind (ping, http) rides on: the same source and destination, so it
 * is planned to the same addresses (planReach) and its failures get the same hints (reachHint).
 */
export function reachLike(
  expectation: { id: string; withinMs: number; source: ReachExpectation["source"]; from: Endpoint },
  to: Exclude<Target, { kind: "outside" }>,
  reach: boolean,
  ip: IpFamily = 4,
): ReachExpectation {
  const { id, withinMs, source, from } = expectation;
  return { kind: "reach", id, withinMs, source, from, to, expected: { reach }, ...(ip === 6 ? { ip } : {}) };
}
