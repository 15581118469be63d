/**
 * The lesson behind every claim, in a learner's words: what it shows, why Docker (or Linux) behaves so, the
 * documentation page it comes from, and a command to see it by hand. Pure data, keyed by claim id; the
 * reports and `netlab tour` read it through lessonFor().
 */
import { BRIDGE } from "./bridge.js";
import { BY_HAND } from "./by-hand.js";
import { COMPOSE } from "./compose.js";
import { CONTAINER } from "./container.js";
import { HOST } from "./host.js";
import { INTERNAL } from "./internal.js";
import { MACVLAN } from "./macvlan.js";
import { NONE } from "./none.js";
import { OVERLAY } from "./overlay.js";
import { PUBLISHED } from "./published.js";
import { USER_BRIDGE } from "./user-bridge.js";
import type { Lesson } from "./types.js";

export type { Lesson } from "./types.js";

/** Every lab's lessons, in lesson order: bridge, none, host, then the other modes. */
export const LESSONS: readonly Lesson[] = [
  ...BRIDGE,
  ...NONE,
  ...HOST,
  ...CONTAINER,
  ...USER_BRIDGE,
  ...INTERNAL,
  ...PUBLISHED,
  ...MACVLAN,
  ...OVERLAY,
  ...COMPOSE,
  ...BY_HAND,
];

const BY_CLAIM = new Map(LESSONS.map((lesson) => [lesson.claim, lesson]));

/** The lesson of one claim (`B8`, `M3a`, …), or undefined for an id no lab has. */
export function lessonFor(claimId: string): Lesson | undefined {
  return BY_CLAIM.get(claimId);
}

/** One lab's lessons, in the order its claims are told. */
export function lessonsOf(lab: string): Lesson[] {
  return LESSONS.filter((lesson) => lesson.lab === lab);
}

/** The labs in the order the lesson tells them: bridge, none, host, then the other modes, by-hand after them. */
export const LAB_ORDER: readonly string[] = [...new Set(LESSONS.map((lesson) => lesson.lab))];

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
