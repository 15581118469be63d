import { describe, expect, it } from "vitest";
import { progressLine, type DecidedTest } from "./claim-progress.js";

type Result = ReturnType<DecidedTest["result"]>;

function decided(name: string, result: Partial<Result> & { state: Result["state"] }, duration = 1234): DecidedTest {
  return {
    name,
    module: { moduleId: "/work/labs/bridge.lab.test.ts" },
    project: { name: "labs" },
    result: () => result as Result,
    diagnostic: () => ({ duration }) as ReturnType<DecidedTest["diagnostic"]>,
  };
}

describe("a progress line per claim", () => {
  it("says the lab, the claim and how long it took", () => {
    expect(progressLine(decided("B8 bridge containers reach each other by IP", { state: "passed" }))).toBe(
      "  ✓ bridge B8 bridge containers reach each other by IP (1.2 s)",
    );
  });

  it("adds a failure's first line", () => {
    const line = progressLine(
      decided("B4 the address lies in 172.17.0.0/16", {
        state: "failed",
        errors: [{ message: "expected 10.123.0.2 in 172.17.0.0/16\nmore" }] as Result["errors"],
      }),
    );
    expect(line).toBe(
      "  ✗ bridge B4 the address lies in 172.17.0.0/16 (1.2 s)\n      expected 10.123.0.2 in 172.17.0.0/16",
    );
  });

  it("gives a skip its reason, and no line to a test a filter left out", () => {
    expect(progressLine(decided("M3a ipvlan l2", { state: "skipped", note: "ipvlan: operation not supported" }))).toBe(
      "  ↓ bridge M3a ipvlan l2  (skipped: ipvlan: operation not supported)",
    );
    expect(progressLine(decided("B1 a fresh engine", { state: "skipped" }))).toBeUndefined();
  });
});
