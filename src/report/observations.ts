import { expect } from "vitest";
import type { Outcome, ProbeResult } from "../probes/outcome.js";
import { claimId, type CheckFacts } from "./check-facts.js";

interface MetaHolder {
  name: string;
  meta: { netlabCheck?: CheckFacts };
}

/** The recorder a check writes its observations into: `const seen = observe(task)`. */
export function observe(task: MetaHolder) {
  const facts: CheckFacts = { claim: claimId(task.name), observed: {}, probes: [], assumptions: [] };
  task.meta.netlabCheck = facts;
  return {
    facts,
    see<T>(key: string, value: T): T {
      facts.observed[key] = value;
      return value;
    },
    /** Records a probe without asserting on it (setup steps, observations). */
    probe(result: ProbeResult): ProbeResult {
      facts.probes.push(result);
      return result;
    },
    /** Records a probe with the outcome the claim expects, then asserts it; the matrix reads both. */
    verify(result: ProbeResult, expected: Outcome | Outcome[]): ProbeResult {
      facts.probes.push({ ...result, expected });
      if (Array.isArray(expected)) expect(result).toHaveOutcomeIn(expected);
      else expect(result).toHaveOutcome(expected);
      return result;
    },
    assume(text: string): void {
      facts.assumptions.push(text);
    },
  };
}

export type Observations = ReturnType<typeof observe>;
