import type { CheckRecord, LabRecord } from "../core/facts-schema.js";
import type { StoppedRun } from "../core/stopped-run.js";
import { lessonOf } from "../core/lesson/lesson.js";
import { checkText } from "./format.js";
import { wordsFor } from "./report-words.js";

/**
 * junit.xml for CI test tabs: one testsuite per test file, one testcase per claim, named with its id.
 * A failure's text carries what was observed, each probe's command, and commands to look by hand.
 * Retried checks keep their attempts, in Maven Surefire's elements (rerunFailure, flakyFailure),
 * which Jenkins, GitLab and most JUnit readers understand.
 */
export interface JunitSuite {
  name: string;
  file: string;
  durationMs?: number;
  /** Errors outside any testcase (a failed beforeAll): reported as one errored testcase. */
  errors: string[];
  checks: CheckRecord[];
  /** The lab's containers, when the suite is a lab: named in the "see it yourself" commands. */
  lab?: Pick<LabRecord, "containers">;
}

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const INVALID_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text for an element's content: markup escaped, terminal colours and characters XML cannot hold removed. */
export function xmlText(text: string): string {
  return text
    .replace(ANSI, "")
    .replace(INVALID_XML, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

const xmlAttribute = (text: string) => xmlText(text).replaceAll('"', "&quot;").replaceAll("\n", "&#10;");

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);
const firstLine = (text: string) => text.replace(ANSI, "").trim().split("\n")[0] ?? "";

function attr(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join("");
}

/**
 * A suite's name as a testcase classname: Jenkins reads a classname as package.class cut at its last dot, so a
 * spec's path ("check examples/shop/netlab.yaml") would show as class "yaml" in package "…/netlab". Dots become
 * underscores; the testsuite keeps its name and `file=` the path as it is.
 */
const junitClassname = (suiteName: string) => suiteName.replaceAll(".", "_");

function testcase(suite: JunitSuite, check: CheckRecord): string {
  const open = `    <testcase${attr({ name: check.title, classname: junitClassname(suite.name), file: suite.file, time: seconds(check.durationMs) })}>`;
  const body: string[] = [];
  // The claim's lesson as testcase properties (Jenkins, GitLab and Surefire readers show them): why it behaves so, where it is documented.
  const lesson = lessonOf(suite.name, check.claim);
  if (lesson) {
    const properties: Array<[string, string | undefined]> = [
      ["concept", lesson.concept],
      ["why", lesson.why],
      ["docs", lesson.docs],
      ["command", lesson.command],
      ["toRun", check.state === "skipped" ? lesson.toRun : undefined],
    ];
    body.push(
      "      <properties>",
      ...properties.flatMap(([name, value]) => (value ? [`        <property${attr({ name, value })}/>`] : [])),
      "      </properties>",
    );
  }
  if (check.state === "skipped" || check.state === "pending") {
    const reason = check.skipReason ?? (check.state === "pending" ? "not run" : "skipped");
    body.push(
      `      <skipped${attr({ message: lesson?.toRun && check.state === "skipped" ? `${reason}; to run it: ${lesson.toRun}` : reason })}/>`,
    );
  }
  if (check.state === "failed") {
    const message = firstLine(check.errors[0] ?? "failed");
    body.push(
      `      <failure${attr({ message, type: `${check.claim} failed` })}>${xmlText(checkText(check, suite.lab && { ...suite.lab, file: suite.file }, lesson))}</failure>`,
    );
  }
  const rerun = check.state === "passed" ? "flakyFailure" : "rerunFailure";
  for (const attempt of check.attempts) {
    const text = [`attempt ${attempt.attempt} of ${check.attempts.length + 1}`, ...attempt.errors].join("\n");
    body.push(
      `      <${rerun}${attr({ message: firstLine(attempt.errors[0] ?? "failed"), type: `${check.claim} attempt ${attempt.attempt}` })}>${xmlText(text)}</${rerun}>`,
    );
  }
  if (check.state !== "failed" && (Object.keys(check.observed).length > 0 || check.probes.length > 0 || lesson)) {
    body.push(`      <system-out>${xmlText(checkText({ ...check, errors: [] }, undefined, lesson))}</system-out>`);
  }
  return body.length ? [open, ...body, "    </testcase>"].join("\n") : `${open.slice(0, -1)}/>`;
}

function setupCase(suite: JunitSuite): string {
  const text = suite.errors.join("\n\n");
  const words = wordsFor([suite]);
  return [
    `    <testcase${attr({ name: `${suite.name}: outside any ${words.item} (setup or teardown)`, classname: junitClassname(suite.name), file: suite.file, time: "0.000" })}>`,
    `      <error${attr({ message: firstLine(suite.errors[0] ?? "error"), type: `${words.suite} error` })}>${xmlText(text)}</error>`,
    "    </testcase>",
  ].join("\n");
}

export function junitXml(
  suites: JunitSuite[],
  options: { name?: string; timestamp?: string; properties?: Record<string, string> } = {},
): string {
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const blocks = suites.map((suite) => {
    const failures = suite.checks.filter((check) => check.state === "failed").length;
    const skipped = suite.checks.filter((check) => check.state === "skipped" || check.state === "pending").length;
    const errors = suite.errors.length ? 1 : 0;
    const tests = suite.checks.length + errors;
    const time = suite.durationMs ?? suite.checks.reduce((sum, check) => sum + (check.durationMs ?? 0), 0);
    Object.assign(totals, {
      tests: totals.tests + tests,
      failures: totals.failures + failures,
      errors: totals.errors + errors,
      skipped: totals.skipped + skipped,
      time: totals.time + time,
    });
    const properties = Object.entries(options.properties ?? {});
    const lines = [
      `  <testsuite${attr({ name: suite.name, file: suite.file, tests, failures, errors, skipped, time: seconds(time), timestamp: options.timestamp })}>`,
    ];
    if (properties.length) {
      lines.push(
        "    <properties>",
        ...properties.map(([name, value]) => `      <property${attr({ name, value })}/>`),
        "    </properties>",
      );
    }
    lines.push(...suite.checks.map((check) => testcase(suite, check)));
    if (errors) lines.push(setupCase(suite));
    lines.push("  </testsuite>");
    return lines.join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr({ name: options.name ?? "netlab", tests: totals.tests, failures: totals.failures, errors: totals.errors, skipped: totals.skipped, time: seconds(totals.time) })}>`,
    ...blocks,
    "</testsuites>",
    "",
  ].join("\n");
}

/**
 * junit.xml for a stopped check: one failed testcase saying why, so a CI test tab shows a red run rather
 * than nothing (or an earlier run's green).
 */
export function junitStopped(stop: StoppedRun): string {
  const name = `${stop.command}: stopped before deciding any expectation (${stop.outcome}, exit ${stop.exitCode})`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr({ name: "netlab", tests: 1, failures: 1, errors: 0, skipped: 0, time: "0.000" })}>`,
    `  <testsuite${attr({ name: "netlab check", tests: 1, failures: 1, errors: 0, skipped: 0, time: "0.000", timestamp: stop.startedAt.toISOString() })}>`,
    `    <testcase${attr({ name, classname: "netlab check", time: "0.000" })}>`,
    `      <failure${attr({ message: firstLine(stop.lines[0] ?? stop.meaning), type: stop.outcome })}>${xmlText([...stop.lines, "", `exit ${stop.exitCode}: ${stop.meaning}`].join("\n"))}</failure>`,
    "    </testcase>",
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
