import { Status, type Label, type Parameter, type StatusDetails } from "allure-js-commons";
import type { CheckRecord, LabRecord, RecordedProbeRecord } from "../core/facts-schema.js";
import { lessonOf } from "../core/lesson/lesson.js";
import { observationLines, oneLine } from "./format.js";
import { wordsFor } from "./report-words.js";

/** The longest line of an observation attachment; a longer one is cut, and the JSON is attached whole. */
const OBSERVED_LINE_MAX = 4000;

/**
 * What a claim looks like in Allure, whoever writes it: the labels, the description (its lesson), one step
 * per probe, the observations (the lab's pictures: allure-lab-model.ts). Two writers use this one model:
 * allure-vitest's runtime while the labs run (src/harness/allure-runtime.ts), and allure-writer.ts for
 * `netlab check`, which runs without vitest.
 */

/** An attachment's content and how Allure shows it. */
export interface AllureAttachmentContent {
  name: string;
  contentType: string;
  fileExtension: string;
  content: string;
}

export interface AllureStepModel {
  name: string;
  status: Status;
  parameters: Parameter[];
  statusDetails: StatusDetails;
}

/**
 * Labels that say something about a claim: its lab (feature, suite) and its id (story, tag). Those that are
 * the same on every result (language, framework, host, thread, package, an "epic" of netlab) are left out.
 */
export function claimLabels(lab: string, claim: string, title: string): Label[] {
  return [
    { name: "feature", value: lab },
    { name: "suite", value: lab },
    { name: "story", value: title },
    ...(claim !== title ? [{ name: "tag", value: claim }] : []),
  ];
}

/** Labels allure-vitest adds to every result that carry no information here. */
export const UNINFORMATIVE_LABELS: readonly string[] = [
  "language",
  "framework",
  "host",
  "thread",
  "package",
  "parentSuite",
  "subSuite",
  "epic",
];

/** The claim's description in Markdown: what it shows, why, how to see it by hand, the docs; for a skip, what makes it run. */
export function claimDescription(
  check: Pick<CheckRecord, "claim" | "state" | "skipReason" | "assumptions">,
  lab: Pick<LabRecord, "lab" | "file">,
): string {
  const lesson = lessonOf(lab.lab, check.claim);
  const parts = [`**${check.claim}** in ${wordsFor([lab]).suite} **${lab.lab}** (\`${lab.file}\`)`];
  if (check.state === "skipped")
    parts.push(
      `**Skipped:** ${check.skipReason ?? "skipped"}${lesson?.toRun ? `\n\n**To run it:** ${lesson.toRun}` : ""}`,
    );
  if (lesson) {
    parts.push(
      `**What it shows.** ${lesson.concept}`,
      `**Why.** ${lesson.why}`,
      `**See it by hand:**\n\n\`\`\`sh\n${lesson.command}\n\`\`\``,
      `**Docs:** [${lesson.docs}](${lesson.docs})`,
    );
  }
  if (check.assumptions.length)
    parts.push(`**Assumed:**\n\n${check.assumptions.map((text) => `- ${text}`).join("\n")}`);
  return parts.join("\n\n");
}

/** One probe as a step: what ran where and what came back, failed where the outcome was not the expected one. */
export function probeStep(
  probe: RecordedProbeRecord,
  label: (from: string) => string = (from) => from,
): AllureStepModel {
  const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
  const matched = !expected || expected.includes(probe.outcome);
  const wanted = expected ? (matched ? "" : `, expected ${expected.join(" or ")}`) : " (recorded)";
  return {
    name: `${probe.probe} ${label(probe.from)} → ${probe.target}: ${probe.outcome}${wanted}`,
    status: matched ? Status.PASSED : Status.FAILED,
    parameters: [
      { name: "from", value: probe.from },
      { name: "target", value: probe.target },
      { name: "outcome", value: probe.outcome },
      ...(expected ? [{ name: "expected", value: expected.join(" or ") }] : []),
      { name: "detail", value: probe.detail },
      { name: "command", value: probe.command },
    ],
    statusDetails: matched
      ? {}
      : { message: `${probe.detail}\n$ ${probe.command}`, expected: expected?.join(" or "), actual: probe.outcome },
  };
}

/**
 * What a check observed, as readable key/value lines. The same as JSON only when a line had to be cut (a value
 * over 4000 characters): otherwise it says nothing the lines do not (and facts.json has it for tools), and a
 * file per result is what a large check's allure-results pays for most.
 */
export function observationAttachments(observed: Record<string, unknown>): AllureAttachmentContent[] {
  if (Object.keys(observed).length === 0) return [];
  const lines = observationLines(observed, OBSERVED_LINE_MAX);
  const cut = observationLines(observed, Number.POSITIVE_INFINITY).some((line, index) => line !== lines[index]);
  return [
    { name: "observed", contentType: "text/plain", fileExtension: "txt", content: `${lines.join("\n")}\n` },
    ...(cut
      ? [
          {
            name: "observed (JSON)",
            contentType: "application/json",
            fileExtension: "json",
            content: `${JSON.stringify(observed, (_key, value: unknown) => value ?? null, 2)}\n`,
          },
        ]
      : []),
  ];
}

/** The run's engine as Allure's environment table. */
export function environmentOf(run: {
  engine: Record<string, unknown>;
  image: string;
  sentinel: Record<string, unknown>;
  runId: string;
}): Record<string, string> {
  const engine = run.engine as Record<string, unknown> & { bridge?: Record<string, unknown> };
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
    "probe.image": run.image,
    "sentinel.address": run.sentinel.address,
    "netlab.run": run.runId,
  };
  return Object.fromEntries(
    Object.entries(values).flatMap(([key, value]) => (value === undefined ? [] : [[key, oneLine(value)]])),
  );
}
