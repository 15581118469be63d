import { specGridMarkdown, specGrids } from "./spec-grid.js";
import type { CheckRecord, Facts, LabRecord, Matrix } from "../core/facts-schema.js";
import type { StoppedRun } from "../core/stopped-run.js";
import { labView } from "./lab-view.js";
import { inLessonOrder, lessonOf } from "../core/lesson/lesson.js";
import { duration, entryText, labFailed, observationLines, oneLine, STATE_MARK, tally, truncate } from "./format.js";
import { orderedEntries } from "./matrix.js";
import { topologyContext, topologyMermaid, type TopologyContext } from "./topology.js";
import { wordsFor, type ReportWords } from "./report-words.js";

/**
 * summary.md: what a CI job summary shows. Per lab, each claim with ✓/✗/– and what was observed, the
 * reachability matrix and a link to the topology picture; at the top, the engine the run was against and
 * the total time. GitHub-flavoured Markdown; everything taken from facts.json.
 */

const OBSERVED_LINES = 12;
const PROBES_SHOWN = 6;
const ERROR_MAX = 400;

/** Text for a table cell: HTML-escaped, pipes and newlines made harmless. */
function cell(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("|", "&#124;")
    .replaceAll(/\r?\n/g, "<br>");
}

const code = (text: string) => `<code>${cell(text)}</code>`;

function engineRows(run: Facts["run"]): Array<[string, string]> {
  const engine = run.engine as Record<string, unknown> & { bridge?: Record<string, unknown> };
  const bridge = engine.bridge ?? {};
  const config = run.config;
  const onOff = (value: unknown) => (value === false ? "off" : value === true ? "on" : "?");
  const rows: Array<[string, string]> = [];
  if (engine.serverVersion) {
    rows.push([
      "engine",
      `Docker ${String(engine.serverVersion)} (API ${String(engine.apiVersion ?? "?")}), ${String(engine.operatingSystem ?? "")}, kernel ${String(engine.kernelVersion ?? "?")}`,
    ]);
  }
  if (bridge.name) {
    rows.push([
      "default bridge",
      `${String(bridge.name)} ${String(bridge.subnet ?? "")}, gateway ${String(bridge.gateway ?? "?")}, inter-container traffic ${onOff(bridge.iccEnabled)}, masquerade ${onOff(bridge.masquerade)}`,
    ]);
  }
  if ("ipv4Forwarding" in engine)
    rows.push([
      "forwarding",
      `IPv4 forwarding ${onOff(engine.ipv4Forwarding)}, bridge-nf-call-iptables ${onOff(engine.bridgeNfIptables)}, swarm ${String(engine.swarmState ?? "?")}`,
    ]);
  if ("daemonConfig" in engine) rows.push(["daemon.json", oneLine(engine.daemonConfig)]);
  rows.push(["probe image", run.image]);
  const sentinel = run.sentinel;
  if (sentinel.address)
    rows.push([
      "sentinel",
      `${String(sentinel.address)} (host end ${String(sentinel.hostAddress ?? "?")}, namespace ${String(sentinel.namespace ?? "?")})`,
    ]);
  const settings = Object.entries(config).filter(([, value]) => value !== undefined);
  if (settings.length) rows.push(["settings", settings.map(([key, value]) => `${key}=${oneLine(value)}`).join(", ")]);
  return rows;
}

/** Key/value lines in a table cell: nested lines keep their indentation. */
function linesCell(lines: string[]): string {
  return lines
    .map((line) => {
      const indent = /^ */.exec(line)?.[0].length ?? 0;
      return `${"&nbsp;".repeat(indent)}${cell(line.slice(indent))}`;
    })
    .join("<br>");
}

function observedText(check: CheckRecord, lab: string, labelOf: (from: string) => string): string {
  if (check.state === "skipped") {
    const toRun = lessonOf(lab, check.claim)?.toRun;
    return [
      check.skipReason ? `skipped: ${cell(check.skipReason)}` : "skipped",
      ...(toRun ? [`<b>to run it:</b> ${cell(toRun)}`] : []),
    ].join("<br>");
  }
  const all = observationLines(check.observed);
  const observed = all.slice(0, OBSERVED_LINES);
  const lines = observed.length ? [linesCell(observed)] : [];
  if (all.length > OBSERVED_LINES) lines.push(`<i>and ${all.length - OBSERVED_LINES} more line(s) in facts.json</i>`);
  const reach = check.probes.filter((probe) => probe.probe !== "listen");
  if (reach.length > 0) {
    // In the order they ran, numbered, so "first refused, then connected" reads as such.
    const shown = reach.slice(0, PROBES_SHOWN).map((probe, index) => {
      const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
      const mark = !expected ? "·" : expected.includes(probe.outcome) ? "✓" : "✗";
      return `${reach.length > 1 ? `${index + 1}. ` : ""}${mark} ${cell(labelOf(probe.from))} → ${cell(probe.target)} ${cell(probe.outcome)}`;
    });
    if (reach.length > PROBES_SHOWN) shown.push(`and ${reach.length - PROBES_SHOWN} more (see the matrix)`);
    lines.push(shown.join("<br>"));
  }
  if (check.state === "failed") {
    const [first] = check.errors;
    if (first) lines.push(`<b>failed:</b> ${cell(truncate(first.trim(), ERROR_MAX))}`);
    for (const probe of check.probes) {
      const expected = probe.expected === undefined ? undefined : [probe.expected].flat();
      if (expected && !expected.includes(probe.outcome) && !first?.includes(probe.command))
        lines.push(`see it yourself: ${code(probe.command)}`);
    }
  }
  if (check.assumptions.length) lines.push(`<i>assumed:</i> ${cell(check.assumptions.join("; "))}`);
  if (check.attempts.length) {
    const verdict = check.state === "passed" ? "passed on attempt" : "failed on attempt";
    lines.push(
      `<i>${verdict} ${check.attempts.length + 1} of ${check.attempts.length + 1}</i> (earlier: ${cell(check.attempts.map((attempt) => truncate(attempt.errors[0]?.split("\n")[0] ?? "failed", 120)).join("; "))})`,
    );
  }
  return lines.join("<br>");
}

/** The claim's cell: its id and words, then its lesson folded away (concept, why, the command, the docs page). */
function claimCell(check: CheckRecord, lab: string): string {
  const title = check.title.startsWith(check.claim)
    ? `<b>${cell(check.claim)}</b>${cell(check.title.slice(check.claim.length))}`
    : cell(check.title);
  const lesson = lessonOf(lab, check.claim);
  if (!lesson) return title;
  const body = [
    cell(lesson.concept),
    `<b>Why:</b> ${cell(lesson.why)}`,
    `<b>See it by hand:</b> ${code(lesson.command)}`,
    `<b>Docs:</b> <a href="${cell(lesson.docs)}">${cell(lesson.docs)}</a>`,
  ];
  return `${title}<details><summary>why</summary>${body.join("<br><br>")}</details>`;
}

export function matrixMarkdown(matrix: Matrix, words: ReportWords = wordsFor([])): string {
  if (matrix.sources.length === 0) return `_No tcp or dns probes in this ${words.suite}._\n`;
  const header = `| from ↓ · to → | ${matrix.targets.map((target) => cell(target.label)).join(" | ")} |`;
  const rule = `|---|${matrix.targets.map(() => "---").join("|")}|`;
  const rows = matrix.sources.map((source) => {
    const cells = matrix.targets.map((target) => {
      const entries = orderedEntries(matrix, source.id, target.id);
      return entries
        .map(
          (entry, index) =>
            `${entries.length > 1 ? `${index + 1}. ` : ""}${entry.mismatch ? "<b>" : ""}${cell(entryText(entry))} (${cell(entry.claim)})${entry.mismatch ? "</b>" : ""}`,
        )
        .join("<br>");
    });
    return `| **${cell(source.label)}** | ${cells.join(" | ")} |`;
  });
  const legend =
    `✓ as the ${words.item} expected · ✗ not as expected (observed, then expected) · \`·\` recorded without an expectation. ` +
    "Outcomes: connected, refused, timed-out, unreachable, host-unreachable, resolved, not-found. " +
    "A cell with several probes numbers them in the order they ran (1. first).";
  const mismatches = matrix.mismatches ? `**${matrix.mismatches} mismatch(es).** ` : "";
  return [header, rule, ...rows, "", `${mismatches}${legend}`, ""].join("\n");
}

function labSection(lab: LabRecord, context: TopologyContext, words: ReportWords): string {
  const labels = new Map(labView(lab).containers.map((container) => [container.name, container.label]));
  const labelOf = (from: string) => labels.get(from) ?? from;
  const counts = tally(lab.checks);
  const mark = labFailed(lab) ? "✗" : "✓";
  const lines = [
    `## ${mark} ${lab.lab}: ${words.tally(counts)}`,
    "",
    `\`${lab.file}\`${lab.durationMs !== undefined ? `, ${duration(lab.durationMs)}` : ""}`,
    "",
  ];
  if (lab.topology) lines.push(`Topology as observed: [${lab.topology}](${lab.topology})`, "");
  const mermaid = topologyMermaid(lab, context);
  if (mermaid) lines.push("```mermaid", mermaid.trimEnd(), "```", "");
  const errorWord = words.suite === "lab" ? "lab error" : "error";
  for (const error of lab.errors) lines.push(`> **${errorWord}:** ${cell(truncate(error.trim(), ERROR_MAX))}`, "");
  // A passing cell of a declared matrix is read in its grid (below); only the cells that did not hold keep a row.
  const grids = specGrids(lab);
  const inGrid = new Set(grids.flatMap((grid) => grid.cells.flat()));
  const rows = lab.checks.filter((check) => check.state !== "passed" || !inGrid.has(check));
  if (rows.length) {
    lines.push(`| | ${words.item} | observed | time |`, "|---|---|---|---|");
    for (const check of rows) {
      lines.push(
        `| ${STATE_MARK[check.state]} | ${claimCell(check, lab.lab)} | ${observedText(check, lab.lab, labelOf)} | ${check.state === "skipped" ? "" : duration(check.durationMs)} |`,
      );
    }
    lines.push("");
  }
  const gridOnly = lab.checks.length - rows.length;
  if (gridOnly > 0)
    lines.push(
      `${gridOnly} matrix cell(s) held and are shown in their grid only; facts.json, junit.xml and Allure keep each one.`,
      "",
    );
  for (const grid of grids) lines.push(specGridMarkdown(grid));
  if (lab.matrix)
    lines.push(
      `### Reachability: ${lab.lab}`,
      "",
      "Rows: where the probe ran. Columns: what it tried to reach.",
      "",
      matrixMarkdown(lab.matrix, words),
    );
  return lines.join("\n");
}

export function summaryMarkdown(facts: Facts): string {
  const checks = facts.labs.flatMap((lab) => lab.checks);
  const counts = tally(checks);
  const failed = facts.labs.some(labFailed);
  const words = wordsFor(facts.labs);
  const lines = [
    `# netlab: ${failed ? "✗" : "✓"} ${words.tally(counts)} in ${facts.labs.length} ${words.suite}(s), ${duration(facts.run.durationMs)}`,
    "",
    `Run \`${facts.run.runId}\`, ${facts.run.startedAt} to ${facts.run.finishedAt}. Total time: **${duration(facts.run.durationMs)}**.`,
    "",
    "| engine configuration | |",
    "|---|---|",
    ...engineRows(facts.run).map(([key, value]) => `| ${cell(key)} | ${cell(value)} |`),
    "",
  ];
  const context = topologyContext(facts.run);
  for (const lab of inLessonOrder(facts.labs, (candidate) => candidate.lab))
    lines.push(labSection(lab, context, words));
  lines.push(
    `Total time: ${duration(facts.run.durationMs)}. Details: \`facts.json\` (schema version ${facts.schemaVersion}), \`junit.xml\`, \`npm run report\` for the HTML report.`,
    "",
  );
  return lines.join("\n");
}

/** summary.md for a check that stopped before deciding anything: what was run, what it printed, what the exit means. */
export function summaryStopped(stop: StoppedRun): string {
  return [
    `# netlab: ✗ stopped before deciding any expectation: ${stop.outcome} (exit ${stop.exitCode})`,
    "",
    `\`${stop.command}\`, started ${stop.startedAt.toISOString()}: no expectation was decided, so none held.`,
    "",
    "```text",
    ...stop.lines.map((line) => line.replaceAll("```", "ʼʼʼ")),
    "```",
    "",
    `Exit ${stop.exitCode}: ${stop.meaning}.`,
    "",
  ].join("\n");
}
