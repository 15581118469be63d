import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inLessonOrder } from "../core/lesson/lesson.js";
import { FACTS_SCHEMA_VERSION, factsSchema, type Facts } from "../core/facts-schema.js";
import { buildMatrix, matrixContext } from "./matrix.js";

export class FactsFileError extends Error {
  override name = "FactsFileError";
}

/** Adds what is computed from the records themselves (each lab's reachability matrix) and puts the labs in lesson order. */
export function withMatrices(facts: Facts): Facts {
  const context = matrixContext(facts.run);
  const labs = inLessonOrder(facts.labs, (lab) => lab.lab);
  return { ...facts, labs: labs.map((lab) => ({ ...lab, matrix: buildMatrix(lab, context) })) };
}

export function readFacts(dir: string): Facts {
  const path = join(dir, "facts.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FactsFileError(
      `no readable facts.json in ${dir}: run the labs first (npm run lab): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const parsed = factsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FactsFileError(
      `${path} does not match facts schema version ${FACTS_SCHEMA_VERSION}: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
