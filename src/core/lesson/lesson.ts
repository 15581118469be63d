/**
 * Every lab of the lesson as declared: each claim's id, words and lesson, in a learner's words (what it shows,
 * why Docker or Linux behaves so, the documentation page, a command to see it by hand). Data, in
 * labs/<lab>.lesson.yaml beside each lab: the lab files bind each declared id to its test, `netlab labs` lists
 * them, the reports and `netlab tour` read them.
 */
import { loadLessonFile } from "./lesson-file.js";
import type { LabLessons, Lesson } from "./types.js";

export type { LabLessons, Lesson } from "./types.js";

/** The lesson order, kept here only: bridge, none, host, then the other modes, by-hand after them. */
const ORDER = [
  "bridge",
  "none",
  "host",
  "container",
  "user-bridge",
  "internal",
  "published",
  "macvlan",
  "overlay",
  "compose",
  "by-hand",
  "flannel",
  "pods",
  "openvswitch",
  "weave",
];

/** Every lab, in lesson order, each read from labs/<lab>.lesson.yaml. */
export const LABS: ReadonlyArray<LabLessons> = ORDER.map((lab) => loadLessonFile(lab));

/** Every lab's lessons, in lesson order. */
export const LESSONS: readonly Lesson[] = LABS.flatMap((lab) => lab.claims);

/** One declared lab by name, or undefined for a name no lab has (a fixture, a checked spec). */
export function declaredLab(lab: string): LabLessons | undefined {
  return LABS.find((declared) => declared.lab === lab);
}

/** One lab's declaration, for its lab file: a name without a labs/<lab>.lesson.yaml is a mistake there. */
export function labLessons(lab: string): LabLessons {
  const declared = declaredLab(lab);
  if (!declared)
    throw new Error(
      `lab "${lab}" has no lesson: add labs/${lab}.lesson.yaml and its name to the order in src/core/lesson/lesson.ts`,
    );
  return declared;
}

/**
 * The lesson of one claim of one lab, or undefined when that lab declares no such claim. Both are needed: a
 * checked spec's expectation may be called `B1` too, and it is no claim of the bridge lab.
 */
export function lessonOf(lab: string, claim: string): Lesson | undefined {
  return declaredLab(lab)?.claims.find((lesson) => lesson.claim === claim);
}

/** One lab's lessons, in the order its claims are told. */
export function lessonsOf(lab: string): Lesson[] {
  return [...(declaredLab(lab)?.claims ?? [])];
}

/** The labs in the order the lesson tells them: bridge, none, host, then the other modes, by-hand after them. */
export const LAB_ORDER: readonly string[] = LABS.map((declared) => declared.lab);

/** Where a lab comes in the lesson; a lab the catalog does not know (a fixture, a checked spec) comes after all of them. */
export function labRank(lab: string): number {
  const index = LAB_ORDER.indexOf(lab);
  return index === -1 ? LAB_ORDER.length : index;
}

/** Labs (or anything named after one) in lesson order; unknown ones keep their order, after the known. */
export function inLessonOrder<T>(items: readonly T[], labOf: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, rank: labRank(labOf(item)) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item);
}
