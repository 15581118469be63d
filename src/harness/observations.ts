import { expect } from "vitest";
import type { Outcome, ProbeResult } from "../core/outcome.js";
import type { ClaimMeta } from "./task-meta.js";
import type { AttemptFacts, CheckFacts } from "../core/check-facts.js";
import { probeStepAround } from "./allure-runtime.js";

interface MetaHolder {
  name: string;
  /** The declared claim (set by claim()): its id keys the facts, its lab names the containers in step names. */
  meta: { netlabClaim?: ClaimMeta; netlabCheck?: CheckFacts };
  /** vitest's result so far: on a retry it holds the retry count and the earlier attempts' errors. */
  result?: { retryCount?: number; errors?: ReadonlyArray<{ message?: string }> };
}

/** The earlier attempt kept when a check is observed again on a retry; undefined on a first try. */
function earlierAttempts(task: MetaHolder, retry: number): AttemptFacts[] {
  const previous = task.meta.netlabCheck;
  if (!previous || (previous.retry ?? 0) >= retry) return previous?.attempts ?? [];
  const attempts = previous.attempts ?? [];
  const seenErrors = attempts.reduce((count, attempt) => count + attempt.errors.length, 0);
  const errors = (task.result?.errors ?? []).slice(seenErrors).map((error) => error.message ?? String(error));
  const { observed, probes, assumptions } = previous;
  return [...attempts, { attempt: attempts.length + 1, observed, probes, assumptions, errors }];
}

/** The recorder a check writes its observations into: `const seen = observe(task)`. */
export function observe(task: MetaHolder) {
  const retry = task.result?.retryCount ?? 0;
  // A test bound by claim() carries its declaration; any other test is known by its whole name, never a parse of it.
  const lab = task.meta.netlabClaim?.lab ?? "";
  const facts: CheckFacts = {
    claim: task.meta.netlabClaim?.claim ?? task.name,
    observed: {},
    probes: [],
    assumptions: [],
    attempts: earlierAttempts(task, retry),
    retry,
  };
  task.meta.netlabCheck = facts;
  return {
    facts,
    see<T>(key: string, value: T): T {
      facts.observed[key] = value;
      return value;
    },
    /** Records a probe without asserting on it (setup steps, observations); an Allure step says what it saw. */
    probe(result: ProbeResult): ProbeResult {
      const recorded = { ...result, at: Date.now() };
      facts.probes.push(recorded);
      return probeStepAround(recorded, lab, () => result);
    },
    /**
     * Records a probe with the outcome the claim expects, then asserts it inside its Allure step; the matrix reads
     * both. `setting`: an engine setting that stops this traffic (settingsAgainst), which a failure names first.
     */
    verify(result: ProbeResult, expected: Outcome | Outcome[], setting?: string): ProbeResult {
      const recorded = { ...result, expected, at: Date.now() };
      facts.probes.push(recorded);
      const missed = Array.isArray(expected) ? !expected.includes(result.outcome) : result.outcome !== expected;
      if (setting && missed) facts.observed.engineSetting = setting;
      return probeStepAround(recorded, lab, () => {
        if (Array.isArray(expected)) expect(result, setting).toHaveOutcomeIn(expected);
        else expect(result, setting).toHaveOutcome(expected);
        return result;
      });
    },
    assume(text: string): void {
      facts.assumptions.push(text);
    },
  };
}

export type Observations = ReturnType<typeof observe>;

/**
 * `observe(task)` for a claim that needs tools the machine may lack: when `needs.reason` says they are missing,
 * records which and skips with that reason (never a silent pass).
 */
export function observeNeeding(
  context: { task: MetaHolder; skip(reason: string): never | void },
  needs: { missing: string[]; reason?: string },
) {
  const check = observe(context.task);
  if (needs.reason) {
    check.see("missing", needs.missing);
    context.skip(needs.reason);
  }
  return check;
}
