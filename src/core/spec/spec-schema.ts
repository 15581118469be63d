import { z } from "zod";
import { OUTCOMES } from "../outcome.js";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { NAME_PATTERN, parseSource, parseTarget } from "./endpoint.js";
import type { Parsed } from "./parsed.js";
import { PUBLISHED_PORT_PATTERN, parsePublishedPort } from "./published-port.js";

/** A string read by one of the spec's small parsers; its error message becomes the zod issue. */
function parsedText<T>(parse: (text: string) => Parsed<T>, pattern?: string) {
  const text = pattern === undefined ? z.string() : z.string().meta({ pattern });
  return text.transform((value, ctx) => {
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.issues.push({ code: "custom", message: result.message, input: value });
    return z.NEVER;
  });
}

// Refinements that compare keys run even when a sibling value is bad, so every problem is reported at once.
const whenObject = { when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null };

const YES = ["yes", "true"];
const NO = ["no", "false"];

const reachValue = z
  .union([z.boolean(), z.enum([...YES, ...NO])], {
    error: (issue) => `bad reach \`${String(issue.input)}\`: yes or no`,
  })
  .transform((value) => value === true || YES.includes(String(value)))
  .meta({ description: "yes: the connection is made; no: refused, timed out or unreachable (the one seen is recorded)." });

const matrixCell = z
  .union([z.boolean(), z.null(), z.enum(["y", "n", ".", ...YES, ...NO])], {
    error: (issue) => `bad matrix cell \`${String(issue.input)}\`: y, n or . (not checked)`,
  })
  .transform((value) => (value === null || value === "." ? null : value === true || value === "y" || YES.includes(String(value))))
  .meta({ description: "y: reachable, n: not reachable, .: not checked." });

const outcome = z
  .enum(OUTCOMES, { error: (issue) => `unknown outcome \`${String(issue.input)}\`; valid outcomes: ${OUTCOMES.join(", ")}` })
  .meta({ description: "The one exact typed outcome expected (instead of reach)." });

const within = parsedText(parseDuration, DURATION_PATTERN).meta({
  description: "How long the expectation may take to become true (retried only while observed ≠ expected), e.g. 500ms, 5s, 1m.",
});

const source = parsedText(parseSource).meta({
  description: "Where the probe runs: a compose service, a container name, `host`, or `outside` (the sentinel).",
});

const target = parsedText(parseTarget).meta({
  description: "NAME:PORT (service or container), host:PORT, IPv4:PORT, or `outside` (the sentinel; outside:PORT too).",
});

const containerName = z
  .string()
  .regex(NAME_PATTERN, { error: (issue) => `bad name \`${String(issue.input)}\`: not a container or service name` });

const labels = {
  id: z.string().min(1).optional().meta({ description: "A unique id for reports; generated from the expectation when absent." }),
  name: z.string().optional().meta({ description: "A human title for reports." }),
  within: within.optional(),
};

const reachEntry = z
  .strictObject({
    from: source,
    to: target,
    reach: reachValue.optional(),
    outcome: outcome.optional(),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    if (entry.reach !== undefined && entry.outcome !== undefined) {
      ctx.addIssue({ code: "custom", path: ["outcome"], message: "`reach` and `outcome` together: give one of them" });
    } else if (entry.reach === undefined && entry.outcome === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "missing `reach` (yes or no) or `outcome` (one exact outcome)" });
    }
  }, whenObject)
  .meta({ title: "reach", description: "Whether `from` reaches `to` (reach), or exactly how it fails (outcome)." });

const resolveEntry = z
  .strictObject({
    from: source,
    resolve: containerName.meta({ description: "A name looked up from inside `from`." }),
    reach: reachValue.meta({ description: "yes: it resolves to an address of that container; no: it does not resolve." }),
    ...labels,
  })
  .meta({ title: "resolve", description: "Whether a name resolves from inside `from`." });

const publishesEntry = z
  .strictObject({
    publishes: containerName.meta({ description: "The container (or compose service) whose published ports are checked." }),
    ports: z
      .array(parsedText(parsePublishedPort, PUBLISHED_PORT_PATTERN))
      .meta({ description: "The exact set of ports it publishes, as `docker ps` shows them: [HOSTIP:]HOSTPORT->PORT/tcp." }),
    ...labels,
  })
  .meta({ title: "publishes", description: "The exact set of ports a container publishes on the host." });

const matrixEntry = z
  .strictObject({
    matrix: z
      .strictObject({
        from: z.array(source).min(1),
        to: z.array(target).min(1),
        reach: z.array(z.array(matrixCell)).meta({ description: "One row per `from`, one cell per `to`: y, n or ." }),
        id: z.string().min(1).optional().meta({ description: "The matrix's id, and the prefix of its cells' ids." }),
        name: labels.name,
        within: labels.within,
      })
      .superRefine((matrix, ctx) => {
        if (!Array.isArray(matrix.reach) || !Array.isArray(matrix.from) || !Array.isArray(matrix.to)) return;
        if (matrix.reach.length !== matrix.from.length) {
          ctx.addIssue({
            code: "custom",
            path: ["reach"],
            message: `ragged matrix: ${matrix.reach.length} rows for ${matrix.from.length} \`from\` entries; give one row per \`from\``,
          });
        }
        matrix.reach.forEach((row, index) => {
          if (Array.isArray(row) && row.length !== matrix.to.length) {
            ctx.addIssue({
              code: "custom",
              path: ["reach", index],
              message: `ragged matrix: row ${index + 1} has ${row.length} cells for ${matrix.to.length} \`to\` entries`,
            });
          }
        });
      }, whenObject),
    // id, name and within may also sit beside `matrix:`, as on every other expectation.
    ...labels,
  })
  .meta({ title: "matrix", description: "A reachability matrix: each cell is an expectation of its own." });

/** The four shapes an expectation takes, told apart by the key that names the shape (see `entryKind`). */
export const entrySchemas = { reach: reachEntry, resolve: resolveEntry, publishes: publishesEntry, matrix: matrixEntry };
export type EntryKind = keyof typeof entrySchemas;

/** Which shape a written expectation means, so errors speak of that shape only. */
export function entryKind(entry: unknown): EntryKind {
  if (typeof entry !== "object" || entry === null) return "reach";
  if ("matrix" in entry) return "matrix";
  if ("publishes" in entry || "ports" in entry) return "publishes";
  if ("resolve" in entry) return "resolve";
  return "reach";
}

export const expectEntrySchema = z.union([reachEntry, resolveEntry, publishesEntry, matrixEntry]);

export const specSchema = z
  .strictObject({
    version: z.literal(1, {
      error: (issue) =>
        issue.input === undefined ? "missing `version`: write version: 1" : `unsupported version \`${String(issue.input)}\`: this netlab reads version 1`,
    }),
    compose: z.string().min(1).optional().meta({ description: "The compose file (relative to this spec) that `--up` brings up." }),
    project: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (issue) => `bad project name \`${String(issue.input)}\`: lowercase letters, digits, - and _` })
      .optional()
      .meta({ description: "The compose project name." }),
    defaults: z.strictObject({ within: labels.within }).optional().meta({ description: "Defaults for every expectation." }),
    expect: z.array(expectEntrySchema).min(1, { error: "`expect` lists no expectations" }),
  })
  .meta({
    title: "netlab spec (version 1)",
    description: "Network expectations netlab checks on running containers: who reaches whom, what resolves, what is published.",
  });

export type SpecData = z.output<typeof specSchema>;
export type SpecEntry = SpecData["expect"][number];
export type MatrixEntry = z.output<typeof matrixEntry>;
