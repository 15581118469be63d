import type { CheckRecord, LabRecord, MatrixEntry } from "../core/facts-schema.js";
import type { Lesson } from "../core/lesson/lesson.js";
import { isCheckedSpec } from "./report-words.js";

/** Small wording shared by the writers, so every report says a thing the same way. */

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A value as one line of JSON (strings bare), for tables and failure text. */
export function oneLine(value: unknown): string {
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

export const STATE_MARK: Record<CheckRecord["state"], string> = {
  passed: "✓",
  failed: "✗",
  skipped: "–",
  pending: "…",
};

export function expectedText(entry: Pick<MatrixEntry, "expected">): string {
  return entry.expected?.join(" or ") ?? "";
}

/** "✓ connected", "✗ connected, expected timed-out", "· connected" (recorded, not asserted). */
export function entryText(entry: Pick<MatrixEntry, "expected" | "observed" | "mismatch">): string {
  if (!entry.expected) return `· ${entry.observed}`;
  return entry.mismatch ? `✗ ${entry.observed}, expected ${expectedText(entry)}` : `✓ ${entry.observed}`;
}

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  pending: number;
}

export function tally(checks: Array<Pick<CheckRecord, "state">>): Tally {
  const counts: Tally = { passed: 0, failed: 0, skipped: 0, pending: 0 };
  for (const check of checks) counts[check.state] += 1;
  return counts;
}

export function labFailed(lab: Pick<LabRecord, "checks" | "errors">): boolean {
  return lab.errors.length > 0 || lab.checks.some((check) => check.state === "failed");
}

/** Containers a check's probes ran in, or every container of the lab when its probes name none. */
export function containersOf(check: Pick<CheckRecord, "probes">, lab: Pick<LabRecord, "containers">): string[] {
  const names = Object.keys(lab.containers);
  const used = [...new Set(check.probes.map((probe) => probe.from))].filter((from) => names.includes(from));
  return used.length > 0 ? used : names;
}

/** Commands a user can paste to look at the same things by hand. */
export function lookCommands(containers: string[]): string[] {
  return containers.flatMap((name) => [`docker exec ${name} ip -o addr`, `docker inspect ${name}`]);
}

/**
 * A check explained in plain text: errors, what was observed, each probe with the command to run it by hand,
 * what was assumed, and commands to look for yourself. For JUnit failure bodies and Allure status details.
 */
export function checkText(
  check: CheckRecord,
  lab?: Pick<LabRecord, "containers"> & Partial<Pick<LabRecord, "file">>,
  lesson?: Lesson,
): string {
  const lines: string[] = [];
  if (check.errors.length) lines.push(...check.errors.map((error) => error.trim()), "");
  if (check.state === "skipped" && check.skipReason) lines.push(`Skipped: ${check.skipReason}`);
  if (Object.keys(check.observed).length)
    lines.push("Observed:", ...observationLines(check.observed, 2000).map((line) => `  ${line}`));
  if (check.probes.length) {
    lines.push("Probes:");
    for (const probe of check.probes) {
      const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
      const mark = !expected ? "·" : expected.includes(probe.outcome) ? "✓" : "✗";
      const wanted = expected ? ` (expected ${expected.join(" or ")})` : "";
      lines.push(
        `  ${mark} ${probe.probe} ${probe.from} → ${probe.target}: ${probe.outcome}${wanted}: ${truncate(probe.detail, 300)}`,
      );
      lines.push(`    $ ${probe.command}`);
    }
  }
  if (check.assumptions.length) lines.push("Assumed:", ...check.assumptions.map((text) => `  ${text}`));
  for (const attempt of check.attempts) {
    lines.push(
      `Attempt ${attempt.attempt} of ${check.attempts.length + 1}: ${attempt.errors.map((error) => error.split("\n")[0]).join("; ") || "failed"}`,
    );
  }
  if (lesson) lines.push("", ...lessonText(lesson, check.state));
  if (lab && Object.keys(lab.containers).length > 0) {
    // A lab removes its containers when its run ends; a checked spec's are the user's (or its --up stack's).
    lines.push(
      lab.file !== undefined && isCheckedSpec({ file: lab.file })
        ? "To see it yourself (while these containers run):"
        : "To see it yourself (while the lab's containers exist; the run removes them at its end):",
    );
    lines.push(...lookCommands(containersOf(check, lab)).map((command) => `  $ ${command}`));
  }
  return lines.join("\n").trim();
}

const LINE_MAX = 200;
const isScalar = (value: unknown) =>
  value === null || ["string", "number", "boolean", "undefined"].includes(typeof value);
const scalarText = (value: unknown) => (value === "" ? '""' : value === undefined ? "(none)" : String(value));

/** An object of scalars on one line ("name: bridge, driver: bridge"), or undefined when it nests deeper. */
function flatObject(value: unknown): string | undefined {
  if (isScalar(value) || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([, inner]) => isScalar(inner) || (Array.isArray(inner) && inner.every(isScalar))))
    return undefined;
  return entries
    .map(([key, inner]) => `${key}: ${Array.isArray(inner) ? inner.map(scalarText).join(" ") : scalarText(inner)}`)
    .join(", ");
}

function valueLines(key: string, value: unknown, indent: string, depth: number): string[] {
  const head = `${indent}${key}:`;
  if (isScalar(value)) return [`${head} ${scalarText(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${head} (none)`];
    if (value.every(isScalar)) return [`${head} ${value.map(scalarText).join(", ")}`];
    return [
      head,
      ...value.flatMap((item) =>
        flatObject(item) !== undefined || isScalar(item)
          ? [`${indent}  - ${flatObject(item) ?? scalarText(item)}`]
          : depth > 2
            ? [`${indent}  - ${oneLine(item)}`]
            : valueLines("-", item, `${indent}  `, depth + 1),
      ),
    ];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [`${head} (none)`];
  const flat = flatObject(value);
  if (flat !== undefined && flat.length <= LINE_MAX) return [`${head} { ${flat} }`];
  if (depth > 2) return [`${head} ${oneLine(value)}`];
  return [head, ...entries.flatMap(([inner, innerValue]) => valueLines(inner, innerValue, `${indent}  `, depth + 1))];
}

/**
 * What a check observed as key/value lines a person reads ("networks:" then "  - name: bridge, driver: bridge"),
 * nested values indented, never cut in the middle of a value's structure; very long lines end in "…".
 */
export function observationLines(observed: Record<string, unknown>, lineMax = LINE_MAX): string[] {
  return Object.entries(observed).flatMap(([key, value]) =>
    valueLines(key, value, "", 0).map((line) => truncate(line, lineMax)),
  );
}

/** The lesson behind a claim in plain text: concept, why, the command to see it, the docs page, and for a skip what makes it run. */
export function lessonText(lesson: Lesson, state: CheckRecord["state"]): string[] {
  return [
    `What it shows: ${lesson.concept}`,
    `Why: ${lesson.why}`,
    ...(state === "skipped" && lesson.toRun ? [`To run it: ${lesson.toRun}`] : []),
    `See it by hand: ${lesson.command}`,
    `Docs: ${lesson.docs}`,
  ];
}
