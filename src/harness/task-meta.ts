import type { CheckFacts, LabFacts } from "../core/check-facts.js";
import type { RunEnvironment } from "../core/run-environment.js";

/** Which declared claim a test proves: set by claim() when the test is collected, so it is there even for a skip. */
export interface ClaimMeta {
  lab: string;
  claim: string;
}

// Where vitest carries netlab's facts: a claim's declaration and a check's facts on its test, a lab's on its file;
// the run's environment is provided.
declare module "vitest" {
  interface TaskMeta {
    netlabClaim?: ClaimMeta;
    netlabCheck?: CheckFacts;
    netlabLab?: LabFacts;
  }
  export interface ProvidedContext {
    netlab: RunEnvironment;
  }
}
