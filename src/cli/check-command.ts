import { existsSync } from "node:fs";
import { dirname, relative } from "node:path";
import type { NetlabConfig } from "../core/config.js";
import { connectEngine } from "../runtime/engine-client.js";
import { expectedText, observedText, route, seenText } from "../check/check-record.js";
import { writeCheckReports } from "../check/check-reports.js";
import type { Decision } from "../check/decide.js";
import { runCheck, type CheckableSpec, type CheckResult } from "../check/run-check.js";
import { CHECK_EXIT, checkJson, type CheckJson } from "./check-outcome.js";
import { RecordError } from "../check/record-error.js";
import { defaultComposeFile, recordSpec } from "../check/record-spec.js";
import { defaultProjectName } from "../check/target.js";
import { duration } from "../report/format.js";

export interface CheckCommandOptions {
  up?: boolean;
  json?: boolean;
  reportsDir: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line per decided expectation, as it is decided; a failure adds its hint and the command that shows it. */
export function decisionLines(decision: Decision): string[] {
  const { from, to } = route(decision.expectation);
  const mark = decision.held ? "✓" : "✗";
  const lines = [
    `${mark} ${decision.expectation.id}  [${from} → ${to}] expected ${expectedText(decision.expectation)}, observed ${observedText(decision)} (${duration(decision.durationMs)})`,
  ];
  if (!decision.held) {
    const seen = seenText(decision);
    if (seen) lines.push(`    saw: ${seen}`);
    if (decision.hint) lines.push(`    hint: ${decision.hint}`);
    const command = decision.command ?? decision.probes[0]?.command;
    if (command) lines.push(`    see it: ${command}`);
    const { source } = decision.expectation;
    lines.push(`    spec: ${source.file}:${source.line}:${source.col}`);
  }
  return lines;
}

export function closingLine(results: CheckResult[], durationMs: number): string {
  const decisions = results.flatMap((result) => result.decisions);
  const held = decisions.filter((decision) => decision.held).length;
  const failed = decisions.length - held;
  return `netlab check: ${failed === 0 ? "✓" : "✗"} ${held} held, ${failed} did not hold, of ${decisions.length} expectation(s) in ${results.length} spec(s), ${seconds(durationMs)}`;
}

/** What --json prints for a check that decided: every decision, flat, with the spec position it came from. */
export function jsonOutput(
  results: CheckResult[],
  exitCode: typeof CHECK_EXIT.held | typeof CHECK_EXIT.notHeld,
): CheckJson {
  return checkJson(
    exitCode,
    results.map((result) => ({
      spec: result.spec.file,
      project: result.project,
      held: result.decisions.every((decision) => decision.held),
      expectations: result.decisions.map((decision) => ({
        id: decision.expectation.id,
        kind: decision.expectation.kind,
        ...route(decision.expectation),
        expected: expectedText(decision.expectation),
        observed: observedText(decision),
        held: decision.held,
        detail: decision.observed.detail,
        ...(decision.hint ? { hint: decision.hint } : {}),
        command: decision.command ?? decision.probes[0]?.command,
        attempts: decision.attempts.length,
        durationMs: decision.durationMs,
        spec: decision.expectation.source,
      })),
    })),
  );
}

/** Checks each spec in turn; resolves to the exit code (0 all held, 1 some did not). */
export async function checkSpecs(
  specs: CheckableSpec[],
  options: CheckCommandOptions,
  config: NetlabConfig,
  io: { out(line: string): void; err(line: string): void; onCleanup(cleanup: () => Promise<void>): void },
): Promise<number> {
  const startedAt = new Date();
  const docker = await connectEngine(config.engineTimeoutMs);
  const progress = options.json ? io.err : io.out;
  const results: CheckResult[] = [];
  for (const spec of specs) {
    // A stack's expectation from a service is decided once per running task: the count below grows.
    const perTask = spec.stack ? ", each from a service once per running task" : "";
    progress(`checking ${relative(process.cwd(), spec.file)}: ${spec.expectations.length} expectation(s)${perTask}`);
    results.push(
      await runCheck(spec, {
        docker,
        config,
        up: options.up ?? false,
        onDecided: (decision) => decisionLines(decision).forEach((line) => progress(line)),
        say: (line) => progress(line),
        onCleanup: io.onCleanup,
      }),
    );
  }
  progress(closingLine(results, Date.now() - startedAt.getTime()));
  const [problems] = await Promise.all([
    writeCheckReports(options.reportsDir, results, config, startedAt, docker),
    ...results.map((result) => result.cleanedUp),
  ]);
  for (const problem of problems) io.err(`netlab: ${problem}`);
  const exitCode = results.every((result) => result.decisions.every((decision) => decision.held))
    ? CHECK_EXIT.held
    : CHECK_EXIT.notHeld;
  if (options.json) io.out(JSON.stringify(jsonOutput(results, exitCode), null, 2));
  progress(`reports in ${options.reportsDir}: summary.md, junit.xml, facts.json, topology/, allure-results/`);
  return exitCode;
}

/** `check --record FILE`: writes a spec of the compose project as it is now; resolves to the exit code (0). */
export async function recordCommand(
  options: { file: string; up: boolean; force: boolean; compose?: string; project?: string },
  config: NetlabConfig,
  io: { out(line: string): void; onCleanup(cleanup: () => Promise<void>): void },
): Promise<number> {
  const here = process.cwd();
  const compose = options.compose ?? defaultComposeFile(here);
  if (!compose)
    throw new RecordError(
      `--record needs a compose file: --compose FILE (no compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml in ${here})`,
    );
  if (!existsSync(compose)) throw new RecordError(`compose file ${compose} does not exist`);
  const project = options.project ?? defaultProjectName(dirname(compose));
  const docker = await connectEngine(config.engineTimeoutMs);
  const { expectations } = await recordSpec({
    docker,
    config,
    file: options.file,
    compose,
    project,
    up: options.up,
    force: options.force,
    say: io.out,
    onCleanup: io.onCleanup,
  });
  const written = relative(here, options.file) || options.file;
  io.out(
    `recorded ${expectations} expectation(s) of compose project ${project} in ${written}; check it with: netlab check ${written}${options.up ? " --up" : ""}`,
  );
  return CHECK_EXIT.held;
}
