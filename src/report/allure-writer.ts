import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Stage, Status, type Attachment, type StepResult, type TestResult } from "allure-js-commons";
import { FileSystemWriter } from "allure-js-commons/sdk/reporter";
import type { AttemptRecord, CheckRecord, Facts } from "../core/facts-schema.js";
import {
  claimDescription,
  claimLabels,
  environmentOf,
  observationAttachments,
  probeStep,
  type AllureAttachmentContent,
} from "./allure-model.js";
import { labAttachments } from "./allure-lab-model.js";
import { checkText } from "./format.js";
import { lessonOf } from "../core/lesson/lesson.js";
import { labView } from "./lab-view.js";
import { wordsFor } from "./report-words.js";

/**
 * allure-results written from facts.json, for runs without vitest (`netlab check`); the labs' results are
 * written by allure-vitest while they run. Both from one model (allure-model.ts): labs as features, claims as
 * stories with their lesson as description, one step per probe, observations, the topology picture and the
 * reachability matrix as attachments; earlier attempts of a retried claim as Allure retries.
 */
export interface AllureFile {
  name: string;
  content: Buffer;
}

export interface AllureOutput {
  results: TestResult[];
  files: AllureFile[];
  environment: Record<string, string>;
}

export interface AllureInput {
  facts: Facts;
  /** SVG text per lab name, where the topology could be drawn. */
  pictures?: ReadonlyMap<string, string>;
  /** For tests: ids that do not change between runs. */
  newId?: () => string;
}

const STATUS: Record<CheckRecord["state"], Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  skipped: Status.SKIPPED,
  pending: Status.SKIPPED,
};

const stableId = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

export function allureOutput({ facts, pictures = new Map(), newId = randomUUID }: AllureInput): AllureOutput {
  const results: TestResult[] = [];
  const files: AllureFile[] = [];
  const file = (extension: string, content: string): string => {
    const name = `${newId()}-attachment.${extension}`;
    files.push({ name, content: Buffer.from(content, "utf8") });
    return name;
  };
  const attach = (attachments: AllureAttachmentContent[]): Attachment[] =>
    attachments.map((attachment) => ({
      name: attachment.name,
      type: attachment.contentType,
      source: file(attachment.fileExtension, attachment.content),
    }));

  for (const lab of facts.labs) {
    const view = labView(lab);
    const label = (name: string) => view.containers.find((container) => container.name === name)?.label ?? name;
    // Allure links each attachment file to one result, so a picture shown on several results is several files.
    // A lab's pictures (its whole topology and matrix) are built once and copied onto at most PICTURED results,
    // failed ones first: copied onto each of a 900-cell matrix's results they were 240 MB of one report.
    const sharedContent = labAttachments(lab, pictures.get(lab.lab));
    const pictureBytes = sharedContent.reduce((sum, attachment) => sum + Buffer.byteLength(attachment.content), 0);
    const pictured = picturedTitles(lab.checks, lab.errors.length > 0, copiesWithin(pictureBytes));
    const firstPictured = lab.checks.find((check) => pictured.has(check.title))?.title;
    const shared = (): Attachment[] => attach(sharedContent);
    const sharedFor = (title: string): Attachment[] => (pictured.has(title) ? shared() : []);

    const base = (title: string, state: CheckRecord["state"]): TestResult => ({
      uuid: newId(),
      historyId: stableId(`${lab.file}#${title}`),
      testCaseId: stableId(`${lab.file}#${title}`),
      fullName: `${lab.file}#${title}`,
      titlePath: ["netlab", lab.lab],
      name: title,
      status: STATUS[state],
      stage: state === "pending" ? Stage.PENDING : Stage.FINISHED,
      statusDetails: {},
      labels: claimLabels(lab.lab, lab.checks.find((check) => check.title === title)?.claim ?? title, title),
      links: [],
      parameters: [],
      steps: [],
      attachments: [],
    });

    const observations = (observed: Record<string, unknown>): Attachment[] => attach(observationAttachments(observed));

    const steps = (probes: AttemptRecord["probes"]): StepResult[] =>
      probes.map((probe) => {
        const step = probeStep(probe, label);
        const stop = probe.at;
        return {
          ...step,
          stage: Stage.FINISHED,
          steps: [],
          attachments: [],
          ...(stop !== undefined ? { start: Math.round(stop - probe.durationMs), stop: Math.round(stop) } : {}),
        };
      });

    // A claim that never ran (skipped) has no start: it goes where the lesson puts it, after the one before.
    let previousEnd = Date.parse(facts.run.startedAt);
    // Allure's charts expect whole milliseconds.
    for (const check of lab.checks) {
      const startedAt = Math.round(check.startedAt ?? previousEnd);
      previousEnd = startedAt + Math.round(check.durationMs ?? 0);
      check.attempts.forEach((attempt, index) => {
        const earlier = base(check.title, "failed");
        const lastProbe = Math.round(Math.max(...attempt.probes.map((probe) => probe.at ?? 0), startedAt + index));
        Object.assign(earlier, {
          statusDetails: {
            message: attempt.errors.join("\n\n") || "failed",
            trace: `attempt ${attempt.attempt} of ${check.attempts.length + 1}`,
          },
          steps: steps(attempt.probes),
          attachments: observations(attempt.observed),
          start: startedAt,
          stop: lastProbe,
        });
        results.push(earlier);
      });
      const result = base(check.title, check.state);
      Object.assign(result, {
        description:
          pictured.has(check.title) || sharedContent.length === 0 || firstPictured === undefined
            ? claimDescription(check, lab)
            : `${claimDescription(check, lab)}\n\nThe pictures of **${lab.lab}** (its topology and reachability matrix) are attached to **${firstPictured}**.`,
        statusDetails:
          check.state === "failed"
            ? {
                message: check.errors.join("\n\n") || "failed",
                trace: checkText({ ...check, errors: [] }, lab, lessonOf(lab.lab, check.claim)),
              }
            : check.state === "skipped" && check.skipReason
              ? { message: check.skipReason }
              : {},
        steps: steps(check.probes),
        attachments: [...observations(check.observed), ...sharedFor(check.title)],
        start: startedAt,
        stop: startedAt + Math.round(check.durationMs ?? 0),
      });
      results.push(result);
    }

    if (lab.errors.length > 0) {
      const broken = base(`${lab.lab}: outside any ${wordsFor([lab]).item} (setup or teardown)`, "failed");
      Object.assign(broken, {
        status: Status.BROKEN,
        statusDetails: { message: lab.errors.join("\n\n") },
        attachments: shared(),
      });
      results.push(broken);
    }
  }
  return { results, files, environment: environmentOf(facts.run) };
}

/** How many results of one lab carry its pictures at most: every claim of a lab, a few of a large matrix. */
export const PICTURED = 10;
/** What a lab's copies of its pictures may weigh together: a 900-cell topology is 600 KB, its matrix page 235 KB. */
export const PICTURE_BUDGET_BYTES = 2 * 1024 * 1024;

/** How many copies of pictures this large fit the budget: PICTURED for small ones, one at least. */
export function copiesWithin(bytes: number): number {
  return bytes === 0 ? PICTURED : Math.max(1, Math.min(PICTURED, Math.floor(PICTURE_BUDGET_BYTES / bytes)));
}

/** The titles of the results that carry a lab's pictures: failed ones first, then in order, `copies` at most. */
function picturedTitles(checks: readonly CheckRecord[], brokenToo: boolean, copies: number): Set<string> {
  const failed = checks.filter((check) => check.state === "failed");
  const others = checks.filter((check) => check.state !== "failed");
  const room = Math.max(0, copies - (brokenToo ? 1 : 0));
  return new Set([...failed, ...others].slice(0, room).map((check) => check.title));
}

/** Writes the output into an allure-results directory, as any Allure 2 or 3 CLI reads it. */
export function writeAllureResults(resultsDir: string, output: AllureOutput): void {
  mkdirSync(resultsDir, { recursive: true });
  const writer = new FileSystemWriter({ resultsDir });
  for (const file of output.files) writer.writeAttachment(file.name, file.content);
  for (const result of output.results) writer.writeResult(result);
  writer.writeEnvironmentInfo(output.environment);
}
