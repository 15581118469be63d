import { FACTS_SCHEMA_VERSION, type Facts, type LabRecord } from "../core/facts-schema.js";

/** A run as its source knows it: a lab run from vitest's provided context, a check from its config. */
export interface RunOf {
  runId: string;
  state?: Facts["run"]["state"];
  startedAt: Date;
  finishedAt: Date;
  image: string;
  sentinel: Record<string, unknown>;
  engine: Record<string, unknown>;
  config: Record<string, unknown>;
}

/**
 * A run's Facts, in the one shape every source gives them (a lab run's records come from vitest, a check's
 * from its decisions); the report writers read nothing else.
 */
export function runFacts(run: RunOf, labs: LabRecord[]): Facts {
  return {
    schemaVersion: FACTS_SCHEMA_VERSION,
    run: {
      runId: run.runId,
      ...(run.state ? { state: run.state } : {}),
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
      durationMs: run.finishedAt.getTime() - run.startedAt.getTime(),
      image: run.image,
      sentinel: { ...run.sentinel },
      engine: { ...run.engine },
      config: { ...run.config },
    },
    labs,
  };
}
