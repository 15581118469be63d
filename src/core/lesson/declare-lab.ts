import type { LabLessons, Lesson } from "./types.js";

/** The one grammar of a claim id: capitals, a number, and optionally a lower-case letter (`B8`, `K1a`). */
const CLAIM_ID = /^[A-Z]+\d+[a-z]?$/;

/** Thrown when a declaration contradicts itself: a malformed or repeated claim id. */
export class LabDeclarationError extends Error {
  override name = "LabDeclarationError";
}

/**
 * Declares a lab of the lesson: its name, its describe line, and each claim's id, words and lesson, in the
 * order the lab tells them. The ids become a type, so a lab file can bind only the claims declared here.
 */
export function declareLab<const Id extends string>(lab: string, heading: string, claims: ReadonlyArray<Omit<Lesson, "lab"> & { claim: Id }>): LabLessons<Id> {
  const seen = new Set<string>();
  for (const { claim } of claims) {
    if (!CLAIM_ID.test(claim)) throw new LabDeclarationError(`lab "${lab}" declares claim "${claim}", which is not an id like B8 or K1a`);
    if (seen.has(claim)) throw new LabDeclarationError(`lab "${lab}" declares claim "${claim}" twice`);
    seen.add(claim);
  }
  return { lab, heading, claims: claims.map((claim) => ({ ...claim, lab })) };
}
