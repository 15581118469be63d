import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kindOf } from "../check/kinds/registry.js";
import { expectationsOf, type Expectation } from "../core/check-file/expectations.js";
import { issueProblems } from "../core/check-file/issue-problems.js";
import { SpecError, type Position, type SpecProblem } from "../core/check-file/spec-error.js";
import type { Spec } from "../core/check-file/spec.js";
import { YamlSource } from "../core/check-file/yaml-source.js";
import { exerciseSchema, type ExerciseData } from "./exercise-schema.js";

export { SpecError };

/**
 * How long a step may take to become true: a learner checks right after `docker network connect` or a start,
 * and a busy machine answers slowly. A step is retried only while it does not hold yet.
 */
const STEP_WITHIN_MS = 5000;

/** Where the exercises live: labs/exercises/NN-slug.yaml. */
export const EXERCISES_DIR = fileURLToPath(new URL("../../labs/exercises/", import.meta.url));
const FILE_NAME = /^(\d{2})-([a-z0-9-]+)\.yaml$/;

export interface ExerciseStep {
  number: number;
  hint: string;
  /** One expectation, or a matrix's cells. */
  expectations: Expectation[];
  source: Position;
}

export interface Exercise extends Omit<ExerciseData, "steps"> {
  number: number;
  slug: string;
  file: string;
  steps: ExerciseStep[];
}

/** Names must carry the exercise's prefix (p7-…) and be listed, so reset can find every one of them, by exact name. */
function nameProblems(number: number, data: ExerciseData, steps: ExerciseStep[], source: YamlSource): SpecProblem[] {
  const prefix = `p${number}-`;
  const problems: SpecProblem[] = [];
  (["containers", "networks", "namespaces", "links"] as const).forEach((kind) =>
    data.names[kind].forEach((name, index) => {
      if (!name.startsWith(prefix))
        problems.push({
          ...source.valueAt(["names", kind, index]),
          message: `name \`${name}\` should start with \`${prefix}\`, so a learner cannot confuse it with their own`,
        });
    }),
  );
  // Reset deletes these rules by their exact words: one that names none of the exercise's objects could be the learner's own.
  data.names.rules.forEach((rule, index) => {
    const words = rule.split(/\s+/);
    const interfaces = words.flatMap((word, at) => (word === "-i" || word === "-o" ? [words[at + 1]] : []));
    if (!interfaces.some((name) => name !== undefined && data.names.links.includes(name))) {
      problems.push({
        ...source.valueAt(["names", "rules", index]),
        message: `rule \`${rule}\` should match -i or -o one of \`names.links\`, so reset never deletes a rule of the learner's own`,
      });
    }
  });
  const listed = new Set([...data.names.containers, ...data.names.networks, ...data.names.namespaces]);
  for (const step of steps) {
    for (const expectation of step.expectations) {
      const { containers, networks, namespaces } = kindOf(expectation).names(expectation);
      const named = [...containers, ...namespaces, ...networks];
      for (const name of named) {
        if (!listed.has(name))
          problems.push({
            ...step.source,
            message: `step ${step.number} names \`${name}\`, which \`names\` does not list`,
          });
      }
    }
  }
  data.prepare.forEach((item, index) => {
    const name = "container" in item ? item.container : "network" in item ? item.network : undefined;
    const kind = "container" in item ? "containers" : "networks";
    if (name !== undefined && !data.names[kind].includes(name))
      problems.push({
        ...source.valueAt(["prepare", index]),
        message: `prepare makes \`${name}\`, which \`names.${kind}\` does not list`,
      });
  });
  return problems;
}

/** Parses and validates one exercise; `file` names it in errors; its number comes from the file name. */
export function parseExercise(text: string, file: string): Exercise {
  const match = FILE_NAME.exec(basename(file));
  if (!match)
    throw new SpecError([
      {
        file,
        line: 1,
        col: 1,
        message: "an exercise file is named NN-slug.yaml (two digits, then lowercase words joined by -)",
      },
    ]);
  const number = Number(match[1]);
  const source = YamlSource.parse(text, file);
  const result = exerciseSchema.safeParse(source.data);
  if (!result.success) throw new SpecError(issueProblems(result.error.issues, source, exerciseSchema));
  const data = result.data;
  const steps = data.steps.map((step, index): ExerciseStep => {
    const base = ["steps", index, "expect"];
    const spec: Spec = {
      file,
      version: 1,
      defaultWithinMs: STEP_WITHIN_MS,
      expect: [step.expect],
      at: (path) => source.valueAt([...base, ...path.slice(2)]),
    };
    return { number: index + 1, hint: step.hint, expectations: expectationsOf(spec), source: source.valueAt(base) };
  });
  const problems = nameProblems(number, data, steps, source);
  if (problems.length > 0) throw new SpecError(problems);
  return { ...data, number, slug: match[2]!, file, steps };
}

export function loadExercise(path: string): Exercise {
  return parseExercise(readFileSync(path, "utf8"), path);
}

/** Every exercise in `dir`, by number. */
export function loadExercises(dir = EXERCISES_DIR): Exercise[] {
  return readdirSync(dir)
    .filter((name) => FILE_NAME.test(name))
    .sort()
    .map((name) => loadExercise(join(dir, name)));
}

export class UnknownExerciseError extends Error {
  override name = "UnknownExerciseError";
}

export function findExercise(exercises: Exercise[], number: number): Exercise {
  const found = exercises.find((exercise) => exercise.number === number);
  if (!found)
    throw new UnknownExerciseError(
      `no exercise ${number}; exercises: ${exercises.map((exercise) => exercise.number).join(", ")} (netlab practice lists them)`,
    );
  return found;
}
