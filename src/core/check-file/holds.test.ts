import { describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome } from "../outcome.js";
import { holds } from "./holds.js";

const holding = (expected: Parameters<typeof holds>[0]): Outcome[] =>
  OUTCOMES.filter((observed) => holds(expected, observed));

describe("holds", () => {
  it("reach yes holds only when connected", () => {
    expect(holding({ reach: true })).toEqual(["connected"]);
  });

  it("reach no holds for every network failure, not for a broken probe", () => {
    expect(holding({ reach: false })).toEqual(["refused", "timed-out", "unreachable", "host-unreachable"]);
  });

  it("an exact outcome holds only for itself", () => {
    expect(holding({ outcome: "timed-out" })).toEqual(["timed-out"]);
  });
});
