import type { ProbeResult } from "../probes/outcome.js";

/** What one check saw, kept on the test's meta so every report writer can explain a result. */
export interface CheckFacts {
  claim: string;
  observed: Record<string, unknown>;
  probes: ProbeResult[];
  /** Engine configuration or environment the check assumed, in words. */
  assumptions: string[];
}

/** What a lab saw of its containers and the host, kept on the test file's meta. */
export interface LabFacts {
  lab: string;
  containers: Record<string, Record<string, unknown>>;
  host: Record<string, unknown>;
}

declare module "vitest" {
  interface TaskMeta {
    netlabCheck?: CheckFacts;
    netlabLab?: LabFacts;
  }
}

interface MetaHolder {
  name: string;
  meta: { netlabCheck?: CheckFacts };
}

export function claimId(testName: string): string {
  return /^([A-Z]+\d+)\b/.exec(testName)?.[1] ?? testName;
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
    probe(result: ProbeResult): ProbeResult {
      facts.probes.push(result);
      return result;
    },
    assume(text: string): void {
      facts.assumptions.push(text);
    },
  };
}

export type Observations = ReturnType<typeof observe>;
