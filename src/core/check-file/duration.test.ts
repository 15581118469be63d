import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["5s", 5000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["0s", 0],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each(["5", "5 sec", "1h", "-1s", "s"])("rejects %j", (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });

  it("points at a bad within in a spec", () => {
    expect(specErrors(withExpect("- {from: a, to: b:1, reach: yes, within: 5 sec}"))).toEqual([
      "net.yaml:3:44 bad duration `5 sec`: a number and a unit, like 500ms, 5s or 1m",
    ]);
  });
});
