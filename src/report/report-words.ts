import type { LabRecord } from "../core/facts-schema.js";

/**
 * The words a report speaks: a lab run has labs whose claims pass or fail; `netlab check` has specs whose
 * expectations hold or do not, as its own output says. The records are the same shape; only the words differ.
 */
/** How many testcases passed, failed, were skipped or never ran (format.ts's Tally). */
type Counts = Record<"passed" | "failed" | "skipped" | "pending", number>;

export interface ReportWords {
  /** "lab" or "spec": what a suite is. */
  suite: string;
  /** "claim" or "expectation": what one testcase is. */
  item: string;
  tally(counts: Counts): string;
}

/** A checked spec is a YAML file; a lab is a test file. */
export function isCheckedSpec(lab: Pick<LabRecord, "file">): boolean {
  return /\.ya?ml$/i.test(lab.file);
}

/** "1 passed, 1 failed, 1 skipped": a lab run's counts (and every earlier summary's). */
const countsText = (counts: Counts, passed: string, failed: string, pending: string) =>
  [
    `${counts.passed} ${passed}`,
    `${counts.failed} ${failed}`,
    ...(counts.skipped ? [`${counts.skipped} skipped`] : []),
    ...(counts.pending ? [`${counts.pending} ${pending}`] : []),
  ].join(", ");

const LAB_WORDS: ReportWords = {
  suite: "lab",
  item: "claim",
  tally: (counts) => countsText(counts, "passed", "failed", "not run"),
};

const CHECK_WORDS: ReportWords = {
  suite: "spec",
  item: "expectation",
  tally: (counts) => countsText(counts, "held", "did not hold", "not decided"),
};

/** The words for these suites: a check's where every one is a checked spec, a lab run's otherwise. */
export function wordsFor(labs: ReadonlyArray<Pick<LabRecord, "file">>): ReportWords {
  return labs.length > 0 && labs.every(isCheckedSpec) ? CHECK_WORDS : LAB_WORDS;
}
