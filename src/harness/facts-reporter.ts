import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSpecification } from "vitest/node";
import "./task-meta.js";
import type { CheckRecord, Facts, LabRecord } from "../core/facts-schema.js";
import type { JunitSuite } from "../report/junit-writer.js";
import { ensureReportsDir, RUN_OUTPUTS } from "../report/reports-dir.js";
import { mark } from "../runtime/timing.js";

export { RUN_OUTPUTS };

/** The parts of vitest's reported test and module the writer reads, so it can be tested without a run. */
export type ReportedTest = Pick<TestCase, "name" | "result" | "diagnostic" | "meta">;
export interface ReportedModule {
  moduleId: string;
  relativeModuleId: string;
  meta(): ReturnType<TestModule["meta"]>;
  children: { allTests(): Iterable<ReportedTest> };
  errors?(): ReadonlyArray<{ message?: string }>;
  diagnostic?(): { duration: number };
}

type InLessonOrder = typeof import("../core/lesson/lesson.js").inLessonOrder;

export function checkRecord(test: ReportedTest): CheckRecord {
  const result = test.result();
  const diagnostic = test.diagnostic();
  const facts = test.meta().netlabCheck;
  const attempts = facts?.attempts ?? [];
  // vitest keeps the errors of every attempt; the record's are the last attempt's, the others sit in `attempts`.
  const earlier = attempts.reduce((count, attempt) => count + attempt.errors.length, 0);
  const errors = result.state === "passed" ? [] : (result.errors ?? []).slice(earlier).map((error) => error.message);
  return {
    // The declaration claim() put on the test; a test that declared none is known by its whole name.
    claim: test.meta().netlabClaim?.claim ?? facts?.claim ?? test.name,
    title: test.name,
    state: result.state,
    ...(diagnostic?.startTime ? { startedAt: diagnostic.startTime } : {}),
    durationMs: diagnostic?.duration,
    retries: diagnostic?.retryCount ?? 0,
    errors,
    ...(result.state === "skipped" && result.note ? { skipReason: result.note } : {}),
    observed: facts?.observed ?? {},
    probes: facts?.probes ?? [],
    assumptions: facts?.assumptions ?? [],
    attempts,
  };
}

export function labRecord(module: ReportedModule): LabRecord {
  const lab = module.meta().netlabLab;
  const duration = module.diagnostic?.().duration;
  return {
    lab: lab?.lab ?? basename(module.moduleId).replace(/\.lab\.(test|fixture)\.ts$/, ""),
    file: module.relativeModuleId,
    ...(duration ? { durationMs: duration } : {}),
    errors: (module.errors?.() ?? []).map((error) => error.message ?? String(error)),
    containers: lab?.containers ?? {},
    host: lab?.host ?? {},
    ...(lab?.networks ? { networks: lab.networks } : {}),
    checks: [...module.children.allTests()].map(checkRecord),
  };
}

function junitSuites(modules: ReadonlyArray<TestModule>, labProject: string, inLessonOrder: InLessonOrder): JunitSuite[] {
  // Labs in lesson order (bridge, none, host, …), whatever order they finished in; other files after them.
  const ordered = inLessonOrder(modules, (module) => (module.project.name === labProject ? labRecord(module).lab : "\u0000other"));
  return ordered.map((module) => {
    if (module.project.name === labProject) {
      const lab = labRecord(module);
      return { name: lab.lab, file: lab.file, durationMs: lab.durationMs, errors: lab.errors, checks: lab.checks, lab };
    }
    return {
      name: `${module.project.name}: ${module.relativeModuleId}`,
      file: module.relativeModuleId,
      durationMs: module.diagnostic().duration,
      errors: module.errors().map((error) => error.message ?? String(error)),
      checks: [...module.children.allTests()].map(checkRecord),
    };
  });
}

/** Whether a run of these test files writes reports: only one that runs a lab (unit tests alone leave the last lab run's reports be). */
export function writesReports(specifications: ReadonlyArray<Pick<TestSpecification, "project">>, labProject = "labs"): boolean {
  return specifications.some((specification) => specification.project.name === labProject);
}

/**
 * Writes a run's reports when it ends: junit.xml for every test file; for the labs, facts.json (validated
 * against the versioned schema) and everything drawn from it: summary.md, the reachability matrices,
 * topology pictures and allure-results/. Only a run that runs a lab writes them, and only such a run clears
 * the previous run's outputs when it starts. The writers (and the facts schema's zod) are imported only then:
 * a run of unit tests alone never loads them, which keeps the main vitest process small.
 */
export default class FactsReporter implements Reporter {
  private startedAt = new Date();
  private writing = false;

  constructor(private readonly options: { outputDir: string; labProject?: string } = { outputDir: "reports" }) {}

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.startedAt = new Date();
    this.writing = writesReports(specifications, this.options.labProject);
    if (!this.writing) return;
    ensureReportsDir(this.options.outputDir);
    for (const output of RUN_OUTPUTS) rmSync(join(this.options.outputDir, output), { recursive: true, force: true });
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors?: unknown, reason?: TestRunEndReason): Promise<void> {
    if (!this.writing) return;
    mark("reports:start");
    const [{ inLessonOrder }, { FACTS_SCHEMA_VERSION }, { junitXml }, { writeLabReports }] = await Promise.all([
      import("../core/lesson/lesson.js"),
      import("../core/facts-schema.js"),
      import("../report/junit-writer.js"),
      import("../report/report-files.js"),
    ]);
    const labProject = this.options.labProject ?? "labs";
    const finishedAt = new Date();
    mkdirSync(this.options.outputDir, { recursive: true });
    writeFileSync(join(this.options.outputDir, "junit.xml"), junitXml(junitSuites(modules, labProject, inLessonOrder), { timestamp: this.startedAt.toISOString() }));

    const labs = modules.filter((module) => module.project.name === labProject);
    if (labs.length === 0) return;
    const environment = labs[0]?.project.getProvidedContext().netlab;
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      run: {
        runId: environment?.runId ?? "unknown",
        ...(reason ? { state: reason } : {}),
        startedAt: this.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - this.startedAt.getTime(),
        image: environment?.image ?? "unknown",
        sentinel: { ...environment?.sentinel },
        engine: { ...environment?.engine },
        config: { ...environment?.config },
      },
      labs: inLessonOrder(labs.map(labRecord), (lab) => lab.lab),
    };
    // allure-results/ is allure-vitest's (NetlabAllureReporter), written from what the labs sent while they ran.
    const { problems } = await writeLabReports(this.options.outputDir, facts, { allure: false });
    for (const problem of problems) console.warn(`netlab: ${problem}`);
    mark("reports:end");
  }
}
