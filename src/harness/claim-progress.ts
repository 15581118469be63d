import { basename } from "node:path";
import type { Reporter, TestCase } from "vitest/node";

/** What the progress line needs of a decided test, so it can be tested without a run. */
export type DecidedTest = Pick<TestCase, "name" | "result" | "diagnostic"> & {
  module: { moduleId: string };
  project: { name: string };
};

const GLYPH = { passed: "✓", failed: "✗", skipped: "↓", pending: "…" } as const;

function labOf(moduleId: string): string {
  return basename(moduleId).replace(/\.(lab\.test|lab\.fixture|check\.test)\.ts$/, "");
}

/**
 * One line for a claim as it is decided: `✓ bridge B8 bridge containers reach each other by IP (1.0 s)`; a
 * failure adds its first line, a skip its reason. A test left out by a filter (`bridge:B8`, `--grep`) has no
 * line: nothing was decided about it.
 */
export function progressLine(test: DecidedTest): string | undefined {
  const result = test.result();
  if (result.state === "skipped" && !result.note) return undefined;
  const seconds = ((test.diagnostic()?.duration ?? 0) / 1000).toFixed(1);
  const line = `  ${GLYPH[result.state]} ${labOf(test.module.moduleId)} ${test.name}`;
  if (result.state === "skipped") return `${line}  (skipped: ${result.note})`;
  if (result.state === "failed")
    return `${line} (${seconds} s)\n      ${(result.errors?.[0]?.message ?? "failed").split("\n")[0]}`;
  return `${line} (${seconds} s)`;
}

/**
 * netlab's progress while the labs run: a line per claim as it is decided (vitest's default reporter only
 * prints a line per file, and the slow tests). Only the labs project's tests; unit tests stay quiet.
 */
export default class ClaimProgressReporter implements Reporter {
  constructor(private readonly options: { projects?: string[]; write?: (line: string) => void } = {}) {}

  onTestCaseResult(test: TestCase): void {
    if (!(this.options.projects ?? ["labs"]).includes(test.project.name)) return;
    const line = progressLine(test);
    if (line) (this.options.write ?? ((text: string) => process.stdout.write(`${text}\n`)))(line);
  }
}
