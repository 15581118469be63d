import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoppedRun } from "../core/stopped-run.js";
import { junitStopped } from "./junit-writer.js";
import { summaryStopped } from "./summary-writer.js";

/**
 * summary.md and junit.xml for a check that stopped before deciding anything, into a reports directory
 * already emptied of the previous run: what a CI job publishes afterwards says failed, and why.
 */
export function writeStoppedReports(dir: string, stop: StoppedRun): void {
  writeFileSync(join(dir, "summary.md"), summaryStopped(stop));
  writeFileSync(join(dir, "junit.xml"), junitStopped(stop));
}
