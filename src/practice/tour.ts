import type { CheckRecord, Facts, RecordedProbeRecord } from "../core/facts-schema.js";
import { lessonsOf, type Lesson } from "../core/lesson/lesson.js";

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
