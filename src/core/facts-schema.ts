import { z } from "zod";
import { OUTCOMES } from "./outcome.js";

/**
 * facts.json: what every run observed, per lab and per claim. Other tools may rely on it; the JSON Schema
 * generated from these definitions is written beside it as facts.schema.json. Any change a reader could
 * trip over (a field removed, renamed or made required) raises the version; reports/README.md lists them.
 *
 * Version 2 (from 1): checks carry `startedAt`, `skipReason` and `attempts`; probes carry `at`; labs carry
 * `errors`, `durationMs`, `matrix` and `topology`; the run carries `config` and `state`. Added since, optional:
 * a checked spec's `specMatrices` (a matrix cell's `observed.matrix` no longer repeats its rows and cols).
 */
export const FACTS_SCHEMA_VERSION = 2;

const outcome = z.enum(OUTCOMES);

export const probeResultSchema = z.object({
  probe: z.enum(["tcp", "udp", "icmp", "dns", "listen"]),
  from: z.string().describe("where the probe ran: a container name, `host`, or `sentinel`"),
  target: z
    .string()
    .describe("`address:port` for tcp and listen (`[IPv6]:port`), `address:port/udp` for udp, a name for dns"),
  outcome,
  detail: z.string().describe("the probe's own words"),
  reply: z.string().optional(),
  addresses: z.array(z.string()).optional(),
  durationMs: z.number(),
  command: z.string().describe("a command a user can paste to run the same probe by hand"),
});

export const recordedProbeSchema = probeResultSchema.extend({
  expected: z
    .union([outcome, z.array(outcome)])
    .optional()
    .describe("the outcome(s) the claim asserted; absent when only recorded"),
  at: z.number().optional().describe("when the check recorded the probe (ms since the epoch)"),
});

export const attemptSchema = z.object({
  attempt: z.number().int().positive(),
  observed: z.record(z.string(), z.unknown()),
  probes: z.array(recordedProbeSchema),
  assumptions: z.array(z.string()),
  errors: z.array(z.string()),
});

export const checkSchema = z.object({
  claim: z.string().describe("the claim's id (B1, N2, …)"),
  title: z.string().describe("the test's name: the id, then the claim in words"),
  state: z.enum(["passed", "failed", "skipped", "pending"]),
  startedAt: z.number().optional().describe("ms since the epoch"),
  durationMs: z.number().optional(),
  retries: z.number().int().nonnegative(),
  errors: z.array(z.string()).describe("the final attempt's errors"),
  skipReason: z.string().optional(),
  observed: z.record(z.string(), z.unknown()),
  probes: z.array(recordedProbeSchema),
  assumptions: z.array(z.string()),
  attempts: z.array(attemptSchema).default([]).describe("earlier attempts of a retried check, oldest first"),
});

export const matrixEndpointSchema = z.object({
  id: z.string().describe("as the probes name it: a container name, `host`, `sentinel`, `address:port`, a DNS name"),
  label: z.string().describe("a short name for people"),
  kind: z.enum(["container", "host", "sentinel", "gateway", "loopback", "dns", "other"]),
});

export const matrixEntrySchema = z.object({
  claim: z.string(),
  probe: z.enum(["tcp", "udp", "icmp", "dns"]),
  expected: z.array(outcome).optional(),
  observed: outcome,
  mismatch: z.boolean().describe("an outcome was expected and another observed"),
  detail: z.string(),
  command: z.string(),
  at: z
    .number()
    .optional()
    .describe("when the probe was recorded (ms since the epoch): entries of a cell in this order ran first to last"),
});

export const matrixSchema = z.object({
  sources: z.array(matrixEndpointSchema),
  targets: z.array(matrixEndpointSchema),
  cells: z.array(z.object({ source: z.string(), target: z.string(), entries: z.array(matrixEntrySchema) })),
  mismatches: z.number().int().nonnegative(),
});

export const labSchema = z.object({
  lab: z.string(),
  file: z.string(),
  durationMs: z.number().optional(),
  errors: z.array(z.string()).default([]).describe("errors outside any claim: setup (beforeAll) or teardown"),
  containers: z.record(z.string(), z.record(z.string(), z.unknown())),
  host: z.record(z.string(), z.unknown()),
  networks: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .optional()
    .describe(
      "the networks the lab created, by name: driver, subnet, gateway, internal, bridge (br-<id>), parent, vxlanId",
    ),
  checks: z.array(checkSchema),
  specMatrices: z
    .array(z.object({ id: z.string(), rows: z.array(z.string()), cols: z.array(z.string()) }))
    .optional()
    .describe(
      "the matrices a checked spec declared, once each: rows (from) and columns (to); a cell's check says where it sits in `observed.matrix` ({id, row, col})",
    ),
  matrix: matrixSchema.optional().describe("where packets could and could not go, from the checks' tcp and dns probes"),
  topology: z.string().optional().describe("the topology picture (SVG), relative to facts.json"),
});

export const factsSchema = z.object({
  schemaVersion: z.literal(FACTS_SCHEMA_VERSION),
  run: z.object({
    runId: z.string(),
    state: z.enum(["passed", "failed", "interrupted"]).optional(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
    image: z.string(),
    sentinel: z.record(z.string(), z.unknown()),
    engine: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()).default({}).describe("netlab's configuration (environment) for the run"),
  }),
  labs: z.array(labSchema),
});

export type Facts = z.infer<typeof factsSchema>;
export type LabRecord = z.infer<typeof labSchema>;
export type CheckRecord = z.infer<typeof checkSchema>;
export type AttemptRecord = z.infer<typeof attemptSchema>;
export type Matrix = z.infer<typeof matrixSchema>;
export type MatrixEntry = z.infer<typeof matrixEntrySchema>;
export type MatrixEndpoint = z.infer<typeof matrixEndpointSchema>;
export type RecordedProbeRecord = z.infer<typeof recordedProbeSchema>;

/** The JSON Schema of facts.json, for tools that do not use zod. */
export function factsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(factsSchema, { unrepresentable: "any" }),
    title: `netlab facts.json, version ${FACTS_SCHEMA_VERSION}`,
  };
}
