import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Stage, Status, type Attachment, type StepResult, type TestResult } from "allure-js-commons";
import { FileSystemWriter } from "allure-js-commons/sdk/reporter";
import type { AttemptRecord, CheckRecord, Facts } from "../core/facts-schema.js";
import { checkText, oneLine } from "./format.js";
import { labView } from "./lab-view.js";
import { matrixMarkdown } from "./summary-writer.js";

/**
 * allure-results written from facts.json: labs as features, claims as stories, one step per probe (what
 * ran where, what came back, the command to run it by hand), observations, the topology picture and the
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

function environment(facts: Facts): Record<string, string> {
  const engine = facts.run.engine as Record<string, unknown> & { bridge?: Record<string, unknown> };
  const values: Record<string, unknown> = {
    "docker.version": engine.serverVersion,
    "docker.api": engine.apiVersion,
    kernel: engine.kernelVersion,
    os: engine.operatingSystem,
    "bridge.name": engine.bridge?.name,
    "bridge.subnet": engine.bridge?.subnet,
    "bridge.gateway": engine.bridge?.gateway,
    "bridge.icc": engine.bridge?.iccEnabled,
    "bridge.masquerade": engine.bridge?.masquerade,
    "daemon.json": engine.daemonConfig === undefined ? undefined : oneLine(engine.daemonConfig),
    "probe.image": facts.run.image,
    "sentinel.address": facts.run.sentinel.address,
    "netlab.run": facts.run.runId,
  };
  return Object.fromEntries(Object.entries(values).flatMap(([key, value]) => (value === undefined ? [] : [[key, oneLine(value)]])));
}

export function allureOutput({ facts, pictures = new Map(), newId = randomUUID }: AllureInput): AllureOutput {
  const results: TestResult[] = [];
  const files: AllureFile[] = [];
  const file = (extension: string, content: string): string => {
    const name = `${newId()}-attachment.${extension}`;
    files.push({ name, content: Buffer.from(content, "utf8") });
    return name;
  };

  for (const lab of facts.labs) {
    const view = labView(lab);
    const label = (name: string) => view.containers.find((container) => container.name === name)?.label ?? name;
    // Allure links each attachment file to one result: every claim gets its own copy of the lab's pictures.
    const picture = pictures.get(lab.lab);
    const matrix = lab.matrix && lab.matrix.sources.length > 0 ? `## Reachability: ${lab.lab}\n\n${matrixMarkdown(lab.matrix)}` : undefined;
    const shared = (): Attachment[] => [
      ...(picture ? [{ name: `topology: ${lab.lab} (as observed)`, type: "image/svg+xml", source: file("svg", picture) }] : []),
      ...(matrix ? [{ name: `reachability: ${lab.lab}`, type: "text/markdown", source: file("md", matrix) }] : []),
    ];

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
      labels: [
        { name: "epic", value: "netlab" },
        { name: "feature", value: lab.lab },
        { name: "story", value: title },
        { name: "parentSuite", value: "netlab" },
        { name: "suite", value: lab.lab },
        { name: "framework", value: "vitest" },
        { name: "language", value: "typescript" },
      ],
      links: [],
      parameters: [],
      steps: [],
      attachments: [],
    });

    const observations = (observed: Record<string, unknown>): Attachment[] =>
      Object.entries(observed).map(([key, value]) => ({
        name: `observed: ${key}`,
        type: "application/json",
        source: file("json", `${JSON.stringify(value ?? null, null, 2)}\n`),
      }));

    const steps = (probes: AttemptRecord["probes"]): StepResult[] =>
      probes.map((probe) => {
        const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
        const matched = !expected || expected.includes(probe.outcome);
        const wanted = expected ? (matched ? "" : `, expected ${expected.join(" or ")}`) : " (recorded)";
        const stop = probe.at;
        return {
          name: `${probe.probe} ${label(probe.from)} → ${probe.target}: ${probe.outcome}${wanted}`,
          status: matched ? Status.PASSED : Status.FAILED,
          stage: Stage.FINISHED,
          statusDetails: matched ? {} : { message: `${probe.detail}\n$ ${probe.command}`, expected: expected?.join(" or "), actual: probe.outcome },
          steps: [],
          attachments: [],
          parameters: [
            { name: "from", value: probe.from },
            { name: "target", value: probe.target },
            { name: "detail", value: probe.detail },
            { name: "command", value: probe.command },
          ],
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
          statusDetails: { message: attempt.errors.join("\n\n") || "failed", trace: `attempt ${attempt.attempt} of ${check.attempts.length + 1}` },
          steps: steps(attempt.probes),
          attachments: observations(attempt.observed),
          start: startedAt,
          stop: lastProbe,
        });
        results.push(earlier);
      });
      const result = base(check.title, check.state);
      const assumed = check.assumptions.map((text) => `- ${text}`).join("\n");
      Object.assign(result, {
        description: [`**${check.claim}** in lab **${lab.lab}** (\`${lab.file}\`)`, assumed ? `Assumed:\n\n${assumed}` : ""].filter(Boolean).join("\n\n"),
        statusDetails:
          check.state === "failed"
            ? { message: check.errors.join("\n\n") || "failed", trace: checkText({ ...check, errors: [] }, lab) }
            : check.state === "skipped" && check.skipReason
              ? { message: check.skipReason }
              : {},
        steps: steps(check.probes),
        attachments: [...observations(check.observed), ...shared()],
        start: startedAt,
        stop: startedAt + Math.round(check.durationMs ?? 0),
      });
      results.push(result);
    }

    if (lab.errors.length > 0) {
      const broken = base(`${lab.lab}: outside any claim (setup or teardown)`, "failed");
      Object.assign(broken, { status: Status.BROKEN, statusDetails: { message: lab.errors.join("\n\n") }, attachments: shared() });
      results.push(broken);
    }
  }
  return { results, files, environment: environment(facts) };
}

/** Writes the output into an allure-results directory, as any Allure 2 or 3 CLI reads it. */
export function writeAllureResults(resultsDir: string, output: AllureOutput): void {
  mkdirSync(resultsDir, { recursive: true });
  const writer = new FileSystemWriter({ resultsDir });
  for (const file of output.files) writer.writeAttachment(file.name, file.content);
  for (const result of output.results) writer.writeResult(result);
  writer.writeEnvironmentInfo(output.environment);
}
