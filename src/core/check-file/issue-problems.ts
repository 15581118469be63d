import { z } from "zod";
import { didYouMean, nearest } from "./nearest.js";
import type { SpecProblem } from "./spec-error.js";
import { entryKind, entrySchemas, expectEntrySchema } from "./spec-schema.js";
import type { NodePath, YamlSource } from "./yaml-source.js";

type Issue = z.core.$ZodIssue;
type Step = string | number;

function child(value: unknown, step: Step): unknown {
  return typeof value === "object" && value !== null ? (value as Record<Step, unknown>)[step] : undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, step) => child(value, step as Step), data);
}

/** The schema a written expectation is checked against: the shape its keys name, not every shape of the union. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  if (schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType, value);
  if (schema === expectEntrySchema) return entrySchemas[entryKind(value)];
  return schema;
}

function schemaAt(root: z.ZodType, data: unknown, path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema = unwrap(root, data);
  let value = data;
  for (const step of path) {
    const next: unknown =
      schema instanceof z.ZodObject
        ? schema.shape[step as string]
        : schema instanceof z.ZodArray
          ? schema.element
          : undefined;
    if (next === undefined) return undefined;
    value = child(value, step as Step);
    schema = unwrap(next as z.ZodType, value);
  }
  return schema;
}

function describe(path: NodePath, schema: z.ZodType): string {
  if (path.length === 0) return "at the top level";
  const title = schema.meta()?.title;
  if (title !== undefined) return `in ${/^[aeiou]/i.test(title) ? "an" : "a"} ${title} expectation`;
  return `in \`${path.findLast((step) => typeof step === "string")}\``;
}

function label(path: NodePath): string {
  const last = path.at(-1);
  if (last === undefined) return "the spec";
  return typeof last === "number" ? `item ${last + 1} of \`${path.at(-2)}\`` : `\`${last}\``;
}

const KINDS: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "yes or no",
};

function kindOf(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  return KINDS[typeof value] ?? typeof value;
}

/** A problem with where it is about: an unknown key that is a near miss of a key the schema has names that key. */
interface Placed {
  problem: SpecProblem;
  path: NodePath;
  nearMiss?: { key: string; meant: string };
}

const samePath = (a: NodePath, b: NodePath) => a.length === b.length && a.every((step, index) => step === b[index]);

/**
 * A typo of a required key is one problem, not two: an unknown key that is a near miss of a key reported missing
 * in the same map says `unknown key \`too\` (did you mean \`to\`?)`, and the missing line goes.
 */
function mergeNearMisses(placed: Placed[]): SpecProblem[] {
  const misses = placed.filter((item) => item.nearMiss);
  const meantMissing = (item: Placed) =>
    item.problem.message.startsWith("missing ") &&
    misses.some(({ path, nearMiss }) => {
      const map = path.slice(0, -1);
      return (
        samePath(item.path, [...map, nearMiss!.meant]) ||
        (samePath(item.path, map) && item.problem.message.includes(`\`${nearMiss!.meant}\``))
      );
    });
  const missing = placed.filter(meantMissing);
  return placed
    .filter((item) => !missing.includes(item))
    .map((item) => {
      if (!item.nearMiss) return item.problem;
      const map = item.path.slice(0, -1);
      const merged = missing.some(
        (gone) =>
          samePath(gone.path, [...map, item.nearMiss!.meant]) ||
          (samePath(gone.path, map) && gone.problem.message.includes(`\`${item.nearMiss!.meant}\``)),
      );
      return merged
        ? {
            ...item.problem,
            message: `unknown key \`${item.nearMiss.key}\` (did you mean \`${item.nearMiss.meant}\`?)`,
          }
        : item.problem;
    });
}

/** Turns zod's issues into spec problems, each at the YAML node it is about: the key for an unknown key, else the value. */
export function issueProblems(
  issues: readonly Issue[],
  source: YamlSource,
  root: z.ZodType,
  base: NodePath = [],
): SpecProblem[] {
  return mergeNearMisses(placedProblems(issues, source, root, base));
}

function placedProblems(issues: readonly Issue[], source: YamlSource, root: z.ZodType, base: NodePath): Placed[] {
  return issues.flatMap((issue): Placed[] => {
    const path: NodePath = [...base, ...(issue.path as Step[])];
    const value = valueAt(source.data, path);
    switch (issue.code) {
      case "invalid_union": {
        // Only the union of expectation shapes is told apart by its keys; any other union says its own message.
        if (issue.errors.length !== expectEntrySchema.options.length || Array.isArray(value)) break;
        if (typeof value !== "object" || value === null) {
          if (path.length !== 2 || path[0] !== "expect") break;
          const shapes =
            "from and to, from and resolve, publishes and ports, matrix, network, docker-network, address, interfaces or container";
          return [
            {
              path,
              problem: {
                ...source.valueAt(path),
                message: `${label(path)} should be a map with ${shapes}; not ${kindOf(value)}`,
              },
            },
          ];
        }
        const branch = expectEntrySchema.options.indexOf(entrySchemas[entryKind(value)]);
        return placedProblems(issue.errors[branch] ?? [], source, root, path);
      }
      case "unrecognized_keys": {
        const schema = schemaAt(root, source.data, path);
        const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
        const where = schema ? describe(path, schema) : "";
        return issue.keys.map((key) => {
          const meant = nearest(key, allowed);
          return {
            path: [...path, key],
            problem: {
              ...source.keyAt([...path, key]),
              message: `unknown key \`${key}\` ${where}${didYouMean(key, allowed)}; allowed keys: ${allowed.join(", ")}`,
            },
            ...(meant === undefined ? {} : { nearMiss: { key, meant } }),
          };
        });
      }
      case "invalid_type": {
        if (value === undefined)
          return [{ path, problem: { ...source.valueAt(path), message: `missing ${label(path)}` } }];
        return [
          {
            path,
            problem: {
              ...source.valueAt(path),
              // YAML reads unquoted digits (an id, 0755, 1e3) as a number: quotes keep them the text written.
              message: `${label(path)} should be ${KINDS[issue.expected] ?? issue.expected}, not ${kindOf(value)}${issue.expected === "string" && typeof value === "number" ? ": write it in quotes" : ""}`,
            },
          },
        ];
      }
      case "too_small": {
        // zod's own words (`Too small: expected string to have >=1 characters`); a message of the schema's stays.
        if (!issue.message.startsWith("Too small")) break;
        if (value === "")
          return [
            {
              path,
              problem: { ...source.valueAt(path), message: `${label(path)} is empty: write its text, or leave it out` },
            },
          ];
        if (Array.isArray(value) && value.length === 0)
          return [
            {
              path,
              problem: {
                ...source.valueAt(path),
                message: `${label(path)} lists nothing: name at least one, or leave it out`,
              },
            },
          ];
        break;
      }
    }
    return [{ path, problem: { ...source.valueAt(path), message: issue.message } }];
  });
}
