import type { Outcome, ProbeResult } from "../core/outcome.js";

function describe(result: ProbeResult): string {
  return `${result.probe} probe from ${result.from} to ${result.target} was ${result.outcome} (${result.detail}); to see it yourself: ${result.command}`;
}

export const outcomeMatchers = {
  toHaveOutcome(received: ProbeResult, expected: Outcome) {
    return {
      pass: received.outcome === expected,
      message: () => `expected outcome ${expected}: ${describe(received)}`,
      actual: received.outcome,
      expected,
    };
  },
  toHaveOutcomeIn(received: ProbeResult, expected: Outcome[]) {
    return {
      pass: expected.includes(received.outcome),
      message: () => `expected one of ${expected.join(", ")}: ${describe(received)}`,
      actual: received.outcome,
      expected,
    };
  },
};

interface OutcomeMatchers<R = unknown> {
  /** The probe's classified outcome is exactly `expected`; the failure message carries the probe's words and command. */
  toHaveOutcome(expected: Outcome): R;
  toHaveOutcomeIn(expected: Outcome[]): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends OutcomeMatchers<T> {}
}
