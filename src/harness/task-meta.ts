import type { CheckFacts, LabFacts } from "../core/check-facts.js";
import type { RunEnvironment } from "../core/run-environment.js";

// Where vitest carries netlab's facts: a check's on its test, a lab's on its file; the run's environment is provided.
declare module "vitest" {
  interface TaskMeta {
    netlabCheck?: CheckFacts;
    netlabLab?: LabFacts;
  }
  export interface ProvidedContext {
    netlab: RunEnvironment;
  }
}

export {};
