import type { CheckRecord, Facts, RecordedProbeRecord } from "../core/facts-schema.js";
import { lessonsOf, type Lesson } from "../core/lesson/lesson.js";
import type { Exercise } from "./load-exercise.js";
import { nodesInWords } from "./node-words.js";

/** The seed lesson: the three modes every container starts from, in the order the lesson tells them. */
export const SEED_LABS = ["bridge", "none", "host"] as const;

export function seedLessons(): Lesson[] {
  return SEED_LABS.flatMap((lab) => lessonsOf(lab));
}

/** How one prediction went. Only a claim the engine showed (it held) can score: otherwise there is no answer to compare. */
export type Verdict = "right" | "wrong" | "unanswered" | "not-scored";

/** `chosen` is the learner's 1-based choice, undefined when they answered nothing. */
export function judge(lesson: Lesson, check: CheckRecord | undefined, chosen: number | undefined): Verdict {
  if (!lesson.predict || check?.state !== "passed") return "not-scored";
  if (chosen === undefined) return "unanswered";
  return chosen - 1 === lesson.predict.answer ? "right" : "wrong";
}

export interface Score {
  right: number;
  wrong: number;
  unanswered: number;
  notScored: number;
}

export function score(verdicts: Verdict[]): Score {
  const count = (verdict: Verdict) => verdicts.filter((each) => each === verdict).length;
  return {
    right: count("right"),
    wrong: count("wrong"),
    unanswered: count("unanswered"),
    notScored: count("not-scored"),
  };
}

export function scoreLine(total: Score): string {
  const answered = total.right + total.wrong;
  if (answered === 0) {
    return `Predictions: none made${total.unanswered ? ` (${total.unanswered} shown without an answer)` : ""}${total.notScored ? `; ${total.notScored} not scored` : ""}.`;
  }
  const notes = [
    total.unanswered ? `${total.unanswered} unanswered` : "",
    total.notScored ? `${total.notScored} not scored: the engine did not show the documented behaviour` : "",
  ].filter(Boolean);
  return `Predictions: ${total.right} of ${answered} right${notes.length ? ` (${notes.join("; ")})` : ""}.`;
}

const MAX_VALUE = 200;

/** One observed value on one line: text as it is, lists joined, anything else as compact JSON, cut short. */
function valueText(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null)
        ? value.map(String).join(", ")
        : JSON.stringify(value);
  const flat = (text ?? "undefined").replace(/\s+/g, " ");
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
}

function probeLine(probe: RecordedProbeRecord): string {
  const expected = probe.expected === undefined ? "" : ` (expected ${[probe.expected].flat().join(" or ")})`;
  return `${probe.probe} ${probe.from} → ${probe.target}: ${probe.outcome}${expected}`;
}

/** What the live engine showed for one claim: its state, what it observed, each probe, and why it failed or was skipped. */
export function observationLines(check: CheckRecord | undefined): string[] {
  if (!check) return ["(the claim did not run: see the lab's errors in the reports)"];
  const state = { passed: "✓ held", failed: "✗ did not hold", skipped: "- skipped", pending: "- not run" }[check.state];
  const lines = [state + (check.skipReason ? `: ${check.skipReason}` : "")];
  for (const [key, value] of Object.entries(check.observed)) lines.push(`  ${key}: ${valueText(value)}`);
  for (const probe of check.probes) lines.push(`  ${probeLine(probe)}`);
  for (const assumption of check.assumptions) lines.push(`  assumed: ${assumption}`);
  for (const error of check.errors) lines.push(`  failed: ${valueText(error.split("\n")[0])}`);
  return lines;
}

/** What the run recorded for a lesson's claim: the check of that id in that lesson's lab. */
export function checkOf(facts: Facts, lesson: Pick<Lesson, "lab" | "claim">): CheckRecord | undefined {
  return facts.labs.find((lab) => lab.lab === lesson.lab)?.checks.find((check) => check.claim === lesson.claim);
}

/** What the walk needs from outside: a question answered (a 1-based choice, or nothing), and a place to print. */
export interface TourIO {
  /** Undefined when the learner answers nothing (`--yes`, an empty line, the end of input). */
  ask(prompt: string, choices: number): Promise<number | undefined>;
  print(line: string): void;
}

/**
 * The guided walk: for each claim in order, the concept, a question to predict (answered before the engine's
 * result is shown), the command to see it by hand, and what the live engine showed. `facts` may still be
 * coming (the labs run while the learner reads); it is awaited only when the first result is due.
 */
export async function walkTour(lessons: Lesson[], facts: Promise<Facts>, io: TourIO): Promise<Score> {
  const verdicts: Verdict[] = [];
  for (const [at, lesson] of lessons.entries()) {
    io.print("");
    io.print(`── ${lesson.claim} (${at + 1}/${lessons.length}, ${lesson.lab}) ${"─".repeat(40)}`);
    io.print(lesson.concept);
    let chosen: number | undefined;
    if (lesson.predict) {
      io.print("");
      io.print(`Predict: ${lesson.predict.question}`);
      lesson.predict.choices.forEach((choice, index) => io.print(`  ${index + 1}) ${choice}`));
      chosen = await io.ask(
        `Your answer (1-${lesson.predict.choices.length}, Enter to skip): `,
        lesson.predict.choices.length,
      );
    }
    const check = checkOf(await facts, lesson);
    io.print("");
    io.print(`Why: ${lesson.why}`);
    io.print(`See it by hand: ${lesson.command}`);
    io.print(`Docs: ${lesson.docs}`);
    io.print("The engine showed:");
    for (const line of observationLines(check)) io.print(`  ${line}`);
    const verdict = judge(lesson, check, chosen);
    verdicts.push(verdict);
    if (lesson.predict) {
      const answer = `${lesson.predict.answer + 1}) ${lesson.predict.choices[lesson.predict.answer]}`;
      io.print(
        {
          right: `Your prediction: ✓ ${answer}`,
          wrong: `Your prediction: ✗ ${chosen}; the lesson's answer is ${answer}`,
          unanswered: `The lesson's answer: ${answer}`,
          "not-scored": `The lesson's answer: ${answer} (not scored: the engine did not show it here)`,
        }[verdict],
      );
    }
  }
  const total = score(verdicts);
  io.print("");
  io.print(scoreLine(total));
  return total;
}

/** A chapter of the tour built on practice exercises: what running one of them (solved) showed. */
export interface ExerciseShown {
  /** What netlab started for it (its nodes), one line each. */
  prepared: string[];
  /** A troubleshooting exercise's grade before the fix: its broken setup failing. */
  before?: string[];
  /** Each reference command as typed, with its exit code. */
  typed: string[];
  /** The grade after the reference commands: each step ✓/✗ and the score. */
  grade: string[];
  passed: boolean;
  /** What was removed after it, when the chapter removes it by practice's reset (one line each). */
  removed?: string[];
}

/** A grade's lines (practice-text's gradeLines) from its first step to its score: the tour prints the explanation itself. */
export function gradeStepLines(lines: string[]): string[] {
  const score = lines.findIndex((line) => line.startsWith("score "));
  return lines.slice(1, score + 1);
}

/** A prediction about an exercise scores only when the exercise was shown to pass: otherwise there is no answer. */
export function judgeShown(exercise: Exercise, shown: ExerciseShown | undefined, chosen: number | undefined): Verdict {
  if (!exercise.predict || !shown?.passed) return "not-scored";
  if (chosen === undefined) return "unanswered";
  return chosen - 1 === exercise.predict.answer ? "right" : "wrong";
}

/**
 * A chapter walked over exercises: for each, the concept and the task, a question to predict (answered while
 * netlab already runs the exercise's reference commands on nodes of its own: `show` starts when the section
 * does), then what was typed and what the grade showed, why, and the docs. One exercise runs at a time.
 */
export async function walkChapter(
  exercises: Exercise[],
  show: (exercise: Exercise) => Promise<ExerciseShown>,
  io: TourIO,
  chapter: string,
): Promise<Score> {
  const verdicts: Verdict[] = [];
  for (const [at, exercise] of exercises.entries()) {
    const shown = show(exercise);
    // Awaited below; handled here so a failure while the learner answers is not an unhandled rejection.
    shown.catch(() => undefined);
    io.print("");
    io.print(`── ${exercise.number} ${exercise.title} (${at + 1}/${exercises.length}, ${chapter}) ${"─".repeat(20)}`);
    io.print(exercise.concept);
    io.print("");
    io.print(`The exercise: ${nodesInWords(exercise.task)}`);
    let chosen: number | undefined;
    if (exercise.predict) {
      io.print("");
      io.print(`Predict: ${exercise.predict.question}`);
      exercise.predict.choices.forEach((choice, index) => io.print(`  ${index + 1}) ${choice}`));
      chosen = await io.ask(
        `Your answer (1-${exercise.predict.choices.length}, Enter to skip): `,
        exercise.predict.choices.length,
      );
    }
    const result = await shown;
    io.print("");
    for (const line of result.prepared) io.print(`netlab: ${line}`);
    if (result.before) {
      io.print("Before the fix, practice check showed:");
      for (const line of result.before) io.print(`  ${line}`);
    }
    io.print(`The reference commands (netlab practice solution ${exercise.number}):`);
    for (const line of result.typed) io.print(`  ${line}`);
    io.print("practice check then showed:");
    for (const line of result.grade) io.print(`  ${line}`);
    if (result.removed) io.print(`netlab removed: ${result.removed.join(", ") || "nothing was left"}`);
    io.print(`Why: ${exercise.explanation}`);
    io.print(`Docs: ${exercise.docs}`);
    io.print(`Try it yourself: netlab practice start ${exercise.number}`);
    const verdict = judgeShown(exercise, result, chosen);
    verdicts.push(verdict);
    if (exercise.predict) {
      const answer = `${exercise.predict.answer + 1}) ${exercise.predict.choices[exercise.predict.answer]}`;
      io.print(
        {
          right: `Your prediction: ✓ ${answer}`,
          wrong: `Your prediction: ✗ ${chosen}; the answer is ${answer}`,
          unanswered: `The answer: ${answer}`,
          "not-scored": `The answer: ${answer} (not scored: the exercise did not pass here)`,
        }[verdict],
      );
    }
  }
  const total = score(verdicts);
  io.print("");
  io.print(scoreLine(total));
  return total;
}
