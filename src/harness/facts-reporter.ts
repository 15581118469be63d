import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSpecification } from "vitest/node";
import "./task-meta.js";
import type { CheckRecord, LabRecord } from "../core/facts-schema.js";
import type { JunitSuite } from "../report/junit-writer.js";
import { clearRunOutputs, ensureReportsDir } from "../report/reports-dir.js";
import { mark } from "../runtime/timing.js";
import { labOfFile } from "../core/names.js";

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
    lab: lab?.lab ?? labOfFile(module.moduleId),
    file: module.relativeModuleId,
    ...(duration ? { durationMs: duration } : {}),
    errors: (module.errors?.() ?? []).map((error) => error.message ?? String(error)),
    containers: lab?.containers ?? {},
    host: lab?.host ?? {},
    ...(lab?.networks ? { networks: lab.networks } : {}),
    checks: [...module.children.allTests()].map(checkRecord),
  };
}

/** A test file of another project in the run (not a lab): junit.xml lists it after the labs. */
function otherSuite(module: TestModule): JunitSuite {
  return {
    name: `${module.project.name}: ${module.relativeModuleId}`,
    file: module.relativeModuleId,
    durationMs: module.diagnostic().duration,
    errors: module.errors().map((error) => error.message ?? String(error)),
    checks: [...module.children.allTests()].map(checkRecord),
  };
}

/** Whether a run of these test files writes reports: only one that runs a lab (unit tests alone leave the last lab run's reports be). */
export function writesReports(
  specifications: ReadonlyArray<Pick<TestSpecification, "project">>,
  labProject = "labs",
): boolean {
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
    clearRunOutputs(this.options.outputDir);
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors?: unknown, reason?: TestRunEndReason): Promise<void> {
    if (!this.writing) return;
    mark("reports:start");
    const [{ inLessonOrder }, { runFacts }, { writeReports }] = await Promise.all([
      import("../core/lesson/lesson.js"),
      import("../report/facts-builder.js"),
      import("../report/writers.js"),
    ]);
    const labProject = this.options.labProject ?? "labs";
    const labs = modules.filter((module) => module.project.name === labProject);
    const others = modules.filter((module) => module.project.name !== labProject);
    const environment = labs[0]?.project.getProvidedContext().netlab;
    const facts = runFacts(
      {
        runId: environment?.runId ?? "unknown",
        ...(reason ? { state: reason } : {}),
        startedAt: this.startedAt,
        finishedAt: new Date(),
        image: environment?.image ?? "unknown",
        sentinel: { ...environment?.sentinel },
        engine: { ...environment?.engine },
        config: { ...environment?.config },
      },
      inLessonOrder(labs.map(labRecord), (lab) => lab.lab),
    );
    // junit.xml lists every test file, the labs first; the rest is the labs'. allure-results/ is allure-vitest's
    // (NetlabAllureReporter), written from what the labs sent while they ran.
    const formats = labs.length === 0 ? (["junit"] as const) : (["topology", "json", "summary", "junit"] as const);
    const { problems } = await writeReports(this.options.outputDir, facts, formats, {
      otherSuites: others.map(otherSuite),
    });
    for (const problem of problems) console.warn(`netlab: ${problem}`);
    mark("reports:end");
  }
}
