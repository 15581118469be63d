import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Reporter, TestCase, TestModule, Vitest } from "vitest/node";
import "./check-facts.js";
import { factsSchema, FACTS_SCHEMA_VERSION, type CheckRecord, type Facts, type LabRecord } from "./facts-schema.js";
import { claimId } from "./check-facts.js";

/** What a run leaves in reports/, cleared at the start of the next one (the engine's log stays). */
export const RUN_OUTPUTS = ["junit.xml", "allure-results", "facts.json"];

/** The parts of vitest's reported test and module the writer reads, so it can be tested without a run. */
export type ReportedTest = Pick<TestCase, "name" | "result" | "diagnostic" | "meta">;
export interface ReportedModule {
  moduleId: string;
  relativeModuleId: string;
  meta(): ReturnType<TestModule["meta"]>;
  children: { allTests(): Iterable<ReportedTest> };
}

export function checkRecord(test: ReportedTest): CheckRecord {
  const result = test.result();
  const diagnostic = test.diagnostic();
  const facts = test.meta().netlabCheck;
  return {
    claim: facts?.claim ?? claimId(test.name),
    title: test.name,
    state: result.state,
    durationMs: diagnostic?.duration,
    retries: diagnostic?.retryCount ?? 0,
    errors: (result.errors ?? []).map((error) => error.message),
    observed: facts?.observed ?? {},
    probes: facts?.probes ?? [],
    assumptions: facts?.assumptions ?? [],
  };
}

export function labRecord(module: ReportedModule): LabRecord {
  const lab = module.meta().netlabLab;
  return {
    lab: lab?.lab ?? basename(module.moduleId).replace(/\.lab\.test\.ts$/, ""),
    file: module.relativeModuleId,
    containers: lab?.containers ?? {},
    host: lab?.host ?? {},
    checks: [...module.children.allTests()].map(checkRecord),
  };
}

/** Writes reports/facts.json: one record per lab and per claim, validated against the versioned schema. */
export default class FactsReporter implements Reporter {
  private startedAt = new Date();

  constructor(private readonly options: { outputDir: string; labProject?: string } = { outputDir: "reports" }) {}

  onInit(_vitest: Vitest): void {
    this.startedAt = new Date();
    for (const output of RUN_OUTPUTS) rmSync(join(this.options.outputDir, output), { recursive: true, force: true });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const labs = modules.filter((module) => module.project.name === (this.options.labProject ?? "labs"));
    if (labs.length === 0) return;
    const environment = labs[0]?.project.getProvidedContext().netlab;
    const finishedAt = new Date();
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      run: {
        runId: environment?.runId ?? "unknown",
        startedAt: this.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - this.startedAt.getTime(),
        image: environment?.image ?? "unknown",
        sentinel: { ...environment?.sentinel },
        engine: { ...environment?.engine },
      },
      labs: labs.map(labRecord),
    };
    mkdirSync(this.options.outputDir, { recursive: true });
    writeFileSync(join(this.options.outputDir, "facts.json"), `${JSON.stringify(factsSchema.parse(facts), null, 2)}\n`);
  }
}
