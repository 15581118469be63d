import { dirname, resolve } from "node:path";
import { expand } from "./expectations.js";
import { issueProblems } from "./issue-problems.js";
import { SpecError, type SpecProblem } from "./spec-error.js";
import { specSchema } from "./spec-schema.js";
import type { Spec } from "./spec.js";
import { unknownNames } from "./unknown-names.js";
import type { YamlSource } from "./yaml-source.js";

export interface ValidateOptions {
  /** The compose (or stack) file's services: every name the spec uses must be one of them. */
  composeServices?: readonly string[];
  /** Problems found before (a missing compose file), reported together with the rest. */
  problems?: readonly SpecProblem[];
}

function duplicateIds(spec: Spec): SpecProblem[] {
  const first = new Map<string, number>();
  return expand(spec).flatMap(({ expectation, idAt }) => {
    const line = first.get(expectation.id);
    if (line === undefined) {
      first.set(expectation.id, idAt.line);
      return [];
    }
    return [
      { ...idAt, message: `duplicate id \`${expectation.id}\` (first on line ${line}): give one of them an \`id:\`` },
    ];
  });
}

/** Checks a parsed spec against the schema (and the compose services, if given); throws every problem at once. */
export function validateSpec(source: YamlSource, options: ValidateOptions = {}): Spec {
  const problems: SpecProblem[] = [...(options.problems ?? [])];
  const result = specSchema.safeParse(source.data);
  if (!result.success) problems.push(...issueProblems(result.error.issues, source, specSchema));
  if (options.composeServices !== undefined) {
    const data = source.data as { compose?: unknown; stack?: unknown } | null;
    const composeFile = data?.compose ?? data?.stack;
    problems.push(
      ...unknownNames(
        source,
        options.composeServices,
        typeof composeFile === "string" ? composeFile : "the compose file",
      ),
    );
  }
  if (!result.success) throw new SpecError(problems);
  const data = result.data;
  const spec: Spec = {
    file: source.file,
    version: data.version,
    ...(data.compose === undefined ? {} : { compose: resolve(dirname(source.file), data.compose) }),
    ...(data.stack === undefined ? {} : { stack: resolve(dirname(source.file), data.stack) }),
    ...(data.nodes === undefined ? {} : { nodes: data.nodes }),
    ...(data.project === undefined ? {} : { project: data.project }),
    defaultWithinMs: data.defaults?.within ?? 0,
    expect: data.expect,
    at: (path) => source.valueAt(path),
  };
  problems.push(...duplicateIds(spec));
  if (problems.length > 0) throw new SpecError(problems);
  return spec;
}
