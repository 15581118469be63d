import { describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome } from "../outcome.js";
import { holds } from "./holds.js";

const holding = (expected: Parameters<typeof holds>[0]): Outcome[] =>
  OUTCOMES.filter((observed) => holds(expected, observed));

describe("holds", () => {
  it("reach yes holds only when connected", () => {
    expect(holding({ reach: true })).toEqual(["connected"]);
  });

  it("reach no (version 2) holds only where there is no path: a refusal proves one", () => {
    expect(holding({ reach: false })).toEqual(["timed-out", "unreachable", "host-unreachable"]);
  });

  it("reach no (version 1) holds for every network failure, not for a broken probe", () => {
    expect(holding({ reach: false, refusedHolds: true })).toEqual([
      "refused",
      "timed-out",
      "unreachable",
      "host-unreachable",
    ]);
  });

  it("an exact outcome holds only for itself", () => {
    expect(holding({ outcome: "timed-out" })).toEqual(["timed-out"]);
  });
});
