import { describe, expect, it } from "vitest";
import type { Decision } from "../check/decision.js";
import type { Grade } from "./grade-exercise.js";
import { loadExercises } from "./load-exercise.js";
import { gradeLines } from "./practice-text.js";

const exercise18 = loadExercises().find((exercise) => exercise.number === 18)!;

/** A grade of exercise 18 where only the seen-as step (3) failed, with `observed` as its decision saw it. */
function gradeWithStep3(observed: Decision["observed"]): Grade {
  const steps = exercise18.steps.map((step) => {
    const failing = step.number === 3;
    const decisions = step.expectations.map((expectation): Decision => ({
      expectation,
      held: !failing,
      observed: failing ? observed : { outcome: "connected", detail: "" },
      probes: [],
      attempts: [],
      startedAt: 0,
      durationMs: 1,
    }));
    return { step, held: !failing, decisions, absent: [] };
  });
  return { exercise: exercise18, steps, passed: steps.length - 1, total: steps.length, durationMs: 1000 };
}

const sawLines = (lines: string[]) => lines.filter((line) => line.trimStart().startsWith("saw:"));

describe("gradeLines: a failed step says once what was seen", () => {
  it("a connection seen as the wrong address: the outside's words once, not again in brackets", () => {
    const detail = "the outside saw 10.213.255.2 (the source's own address), not the host's";
    const lines = gradeLines(gradeWithStep3({ outcome: "connected", detail }));
    expect(sawLines(lines)).toEqual([`    saw: ${detail}`]);
  });

  it("a probe that decided nothing (no outcome): its detail once", () => {
    const detail = "the probe sidecar could not start";
    expect(sawLines(gradeLines(gradeWithStep3({ detail })))).toEqual([`    saw: ${detail}`]);
  });

  it("words that begin with the outcome replace it: `refused` is not said twice", () => {
    const detail = "refused: the port is closed, but the path is open";
    expect(sawLines(gradeLines(gradeWithStep3({ outcome: "refused", detail })))).toEqual([`    saw: ${detail}`]);
  });

  it("an outcome with the probe's own words: the outcome, then the words in brackets (the control)", () => {
    const lines = gradeLines(gradeWithStep3({ outcome: "timed-out", detail: "198.18.0.2:80: nc: timed out" }));
    expect(sawLines(lines)).toEqual(["    saw: timed-out (198.18.0.2:80: nc: timed out)"]);
  });
});
