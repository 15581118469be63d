import { join } from "node:path";
import { randomUUID } from "node:crypto";
import AllureVitestReporter from "allure-vitest/reporter";
import type { TestResult } from "allure-js-commons";
import { FileSystemWriter } from "allure-js-commons/sdk/reporter";
import type { TestModule, TestSpecification } from "vitest/node";
import { environmentOf, UNINFORMATIVE_LABELS, type AllureAttachmentContent } from "../report/allure-model.js";
import { drawnLabAttachments } from "../report/allure-lab-model.js";
import { labRecord, writesReports } from "./facts-reporter.js";

export interface AllureReporterOptions {
  outputDir: string;
  labProject?: string;
}

const KEEP_LAST = new Set(["feature", "suite", "story"]);

/** Labels without those that are the same on every result, and one of each that names the claim's place. */
export function informativeLabels(labels: TestResult["labels"]): TestResult["labels"] {
  const kept = labels.filter((label) => !UNINFORMATIVE_LABELS.includes(label.name) && !label.name.startsWith("_"));
  // A retried claim sends its labels once per attempt: each once; of feature, suite and story the claim's own (the last).
  return kept.filter(
    (label, index) =>
      !kept
        .slice(index + 1)
        .some((later) => later.name === label.name && (KEEP_LAST.has(label.name) || later.value === label.value)),
  );
}

/**
 * allure-vitest's reporter, writing the labs' allure-results from what they sent while they ran (each probe a
 * step, each claim's lesson and observations: src/harness/allure-runtime.ts). On top: only a run that runs a
 * lab writes them (as the other reports), only the labs' tests, without labels every result shares, the run's
 * engine as the environment, and each lab's topology and reachability matrix attached to every claim of the
 * lab: drawn here, where the lab's facts are complete (the claims' probes and what the lab noted), from the
 * same model the other reports use, and added to each result before it is written.
 */
export class AllureLabReporter extends AllureVitestReporter {
  private writing = false;
  private readonly writer: FileSystemWriter;
  private readonly labProject: string;
  /** The pictures of each lab, by its test file's path. */
  private readonly pictures = new Map<string, AllureAttachmentContent[]>();

  constructor(options: AllureReporterOptions) {
    const resultsDir = join(options.outputDir, "allure-results");
    super({
      resultsDir,
      // A claim's steps are its probes; the matchers inside them would repeat each one.
      reportMatchers: false,
      listeners: [{ beforeTestResultWrite: (result) => this.complete(result) }],
    });
    this.writer = new FileSystemWriter({ resultsDir });
    this.labProject = options.labProject ?? "labs";
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.writing = writesReports(specifications, this.labProject);
  }

  private complete(result: TestResult): void {
    result.labels = informativeLabels(result.labels);
    const file = result.fullName?.split("#")[0]?.replace(/^[^:/]+:/, "");
    // Allure links an attachment file to one result: each claim gets its own copy.
    for (const picture of (file && this.pictures.get(file)) || []) {
      const source = `${randomUUID()}-attachment.${picture.fileExtension}`;
      this.writer.writeAttachment(source, Buffer.from(picture.content, "utf8"));
      result.attachments.push({ name: picture.name, type: picture.contentType, source });
    }
  }

  override async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    if (!this.writing) return;
    const labs = modules.filter((module) => module.project.name === this.labProject);
    if (labs.length === 0) return;
    const environment = labs[0]?.project.getProvidedContext().netlab;
    const run = { sentinel: { ...environment?.sentinel }, engine: { ...environment?.engine } };
    await Promise.all(
      labs.map(async (module) => {
        this.pictures.set(module.relativeModuleId, await drawnLabAttachments(labRecord(module), run));
      }),
    );
    super.onTestRunEnd(labs);
    if (environment) this.writer.writeEnvironmentInfo(environmentOf({ ...environment, ...run }));
  }
}
