import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { issueProblems } from "../check-file/issue-problems.js";
import { SpecError } from "../check-file/spec-error.js";
import { YamlSource } from "../check-file/yaml-source.js";
import type { LabLessons } from "./types.js";

// The one module of src/core/ that reads a file: the lesson is data the package ships, read once as a module
// would be, and the reports (which may import only src/core/) need it.

/** Where the lessons live: labs/<lab>.lesson.yaml beside labs/<lab>.lab.test.ts; the same from src/ and dist/. */
export const LESSONS_DIR = fileURLToPath(new URL("../../../labs/", import.meta.url));

/** The one grammar of a claim id: capitals, a number, and optionally a lower-case letter (`B8`, `K1a`). */
const CLAIM_ID = /^[A-Z]+\d+[a-z]?$/;

const text = z.string().min(1);
const predictionSchema = z
  .strictObject({ question: text, choices: z.array(text).min(2), answer: z.number().int().nonnegative() })
  .refine((prediction) => prediction.answer < prediction.choices.length, {
    path: ["answer"],
    message: "answer should be the index of one of the choices",
  });
const claimSchema = z.strictObject({
  claim: z
    .string()
    .regex(CLAIM_ID, { error: (issue) => `claim \`${String(issue.input)}\` is not an id like B8 or K1a` }),
  title: text,
  concept: text,
  why: text,
  docs: text,
  command: text,
  toRun: text.optional(),
  predict: predictionSchema.optional(),
});
const lessonFileSchema = z
  .strictObject({ heading: text, claims: z.array(claimSchema) })
  .superRefine((data, context) => {
    const seen = new Set<string>();
    data.claims.forEach(({ claim }, index) => {
      if (seen.has(claim))
        context.addIssue({
          code: "custom",
          path: ["claims", index, "claim"],
          message: `claim \`${claim}\` is declared twice`,
        });
      seen.add(claim);
    });
  });

/** Parses and validates one lab's lesson; `file` names it in errors (FILE:LINE:COL), `lab` is given to each claim. */
export function parseLessonFile(source: string, file: string, lab: string): LabLessons {
  const yaml = YamlSource.parse(source, file);
  const result = lessonFileSchema.safeParse(yaml.data);
  if (!result.success) throw new SpecError(issueProblems(result.error.issues, yaml, lessonFileSchema));
  return { lab, heading: result.data.heading, claims: result.data.claims.map((claim) => ({ ...claim, lab })) };
}

/** Reads labs/<lab>.lesson.yaml: synchronous, so the lesson's callers (labs, reports, the CLI) stay so. */
export function loadLessonFile(lab: string, dir = LESSONS_DIR): LabLessons {
  const file = join(dir, `${lab}.lesson.yaml`);
  return parseLessonFile(readFileSync(file, "utf8"), file, lab);
}
