import { z } from "zod";
import { OUTCOMES } from "../probes/outcome.js";

/** facts.json, version 1: what every run observed, per lab and per claim. Other tools may rely on it. */
export const FACTS_SCHEMA_VERSION = 1;

export const probeResultSchema = z.object({
  probe: z.enum(["tcp", "dns", "listen"]),
  from: z.string(),
  target: z.string(),
  outcome: z.enum(OUTCOMES),
  detail: z.string(),
  reply: z.string().optional(),
  addresses: z.array(z.string()).optional(),
  durationMs: z.number(),
  command: z.string(),
});

const recordedProbeSchema = probeResultSchema.extend({
  expected: z.union([z.enum(OUTCOMES), z.array(z.enum(OUTCOMES))]).optional(),
});

export const checkSchema = z.object({
  claim: z.string(),
  title: z.string(),
  state: z.enum(["passed", "failed", "skipped", "pending"]),
  durationMs: z.number().optional(),
  retries: z.number().int().nonnegative(),
  errors: z.array(z.string()),
  observed: z.record(z.string(), z.unknown()),
  probes: z.array(recordedProbeSchema),
  assumptions: z.array(z.string()),
});

export const labSchema = z.object({
  lab: z.string(),
  file: z.string(),
  containers: z.record(z.string(), z.record(z.string(), z.unknown())),
  host: z.record(z.string(), z.unknown()),
  checks: z.array(checkSchema),
});

export const factsSchema = z.object({
  schemaVersion: z.literal(FACTS_SCHEMA_VERSION),
  run: z.object({
    runId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
    image: z.string(),
    sentinel: z.record(z.string(), z.unknown()),
    engine: z.record(z.string(), z.unknown()),
  }),
  labs: z.array(labSchema),
});

export type Facts = z.infer<typeof factsSchema>;
export type LabRecord = z.infer<typeof labSchema>;
export type CheckRecord = z.infer<typeof checkSchema>;
