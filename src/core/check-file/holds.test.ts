import { describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome } from "../outcome.js";
import { holdingOutcomes, holds, refusedOnPath } from "./holds.js";

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

  it("holdingOutcomes lists what a matrix cell marks as expected: version 2's no leaves refused out", () => {
    expect(holdingOutcomes({ reach: false })).toEqual(["timed-out", "unreachable", "host-unreachable"]);
    expect(holdingOutcomes({ reach: false, refusedHolds: true })).toContain("refused");
    expect(holdingOutcomes({ reach: true })).toEqual(["connected"]);
  });

  it("refusedOnPath: only a version-2 no that saw refused", () => {
    expect(refusedOnPath({ reach: false }, "refused")).toBe(true);
    expect(refusedOnPath({ reach: false }, "timed-out")).toBe(false);
    expect(refusedOnPath({ reach: false, refusedHolds: true }, "refused")).toBe(false);
    expect(refusedOnPath({ reach: true }, "refused")).toBe(false);
    expect(refusedOnPath({ outcome: "timed-out" }, "refused")).toBe(false);
  });
});
