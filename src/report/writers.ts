import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import createDebug from "debug";
import { factsJsonSchema, factsSchema, type Facts } from "../core/facts-schema.js";
import { stringifyEnvInfo } from "allure-js-commons/sdk/reporter";
import { allureOutput, type AllureOutput } from "./allure-writer.js";
import { junitXml, type JunitSuite } from "./junit-writer.js";
import { withMatrices } from "./report-files.js";
import { TOPOLOGY_DIR } from "./reports-dir.js";
import { summaryMarkdown } from "./summary-writer.js";
import { topologyContext, topologyDot } from "./topology.js";
import { GraphvizMissingError, graphvizMissingLine, renderSvg } from "./topology-render.js";

const debug = createDebug("netlab:report");

/**
 * One report pipeline for lab runs and `netlab check`: facts in, a registry of writers out, one writer per
 * format (as goss's outputs/outputs.go maps a format's name to its writer). Adding a format is one entry here.
 */
export type ReportFormat = "topology" | "json" | "summary" | "junit" | "allure";

/**
 * Every format, in the order the writers run: junit.xml first, so CI has it whatever happens after; then the
 * pictures, since facts.json and the others name them.
 */
export const REPORT_FORMATS: readonly ReportFormat[] = ["junit", "topology", "json", "summary", "allure"];

/** What the writers share while a run's reports are written; a writer may complete the facts for those after it. */
export interface Report {
  dir: string;
  facts: Facts;
  /** SVG text per lab name, where the topology could be drawn. */
  pictures: Map<string, string>;
  /** What could not be written, and why; the other reports are written all the same. */
  problems: string[];
  /** Test files that are not labs (a lab run's other projects): junit.xml lists them after the labs. */
  otherSuites: JunitSuite[];
}

export type ReportWriter = (report: Report) => void | Promise<void>;

const fileName = (lab: string) => lab.replace(/[^\w.-]+/g, "-");

/** topology/<lab>.dot and .svg; each drawn lab's facts name its picture. */
async function writeTopology(report: Report): Promise<void> {
  const undrawn: string[] = [];
  const context = topologyContext(report.facts.run);
  mkdirSync(join(report.dir, TOPOLOGY_DIR), { recursive: true });
  const labs = await Promise.all(
    report.facts.labs.map(async (lab) => {
      const base = join(TOPOLOGY_DIR, fileName(lab.lab));
      const dot = topologyDot(lab, context);
      writeFileSync(join(report.dir, `${base}.dot`), dot);
      try {
        const svg = await renderSvg(dot, lab.lab);
        writeFileSync(join(report.dir, `${base}.svg`), svg);
        report.pictures.set(lab.lab, svg);
        return { ...lab, topology: `${base}.svg` };
      } catch (error) {
        if (error instanceof GraphvizMissingError) undrawn.push(lab.lab);
        else report.problems.push((error as Error).message);
        const { topology: _, ...rest } = lab;
        return rest;
      }
    }),
  );
  // A missing Graphviz is one fact about the machine, said once, not once per lab.
  if (undrawn.length > 0) report.problems.unshift(graphvizMissingLine(undrawn));
  report.facts = { ...report.facts, labs };
}

/** facts.json, validated against the versioned schema (the writers after it read what it wrote), and that schema. */
function writeJson(report: Report): void {
  report.facts = factsSchema.parse(report.facts);
  writeFileSync(join(report.dir, "facts.json"), `${JSON.stringify(report.facts, null, 2)}\n`);
  writeFileSync(join(report.dir, "facts.schema.json"), `${JSON.stringify(factsJsonSchema(), null, 2)}\n`);
}

function writeJunit(report: Report): void {
  const labs = report.facts.labs.map((lab) => ({
    name: lab.lab,
    file: lab.file,
    durationMs: lab.durationMs,
    errors: lab.errors,
    checks: lab.checks,
    lab,
  }));
  writeFileSync(
    join(report.dir, "junit.xml"),
    junitXml([...labs, ...report.otherSuites], { timestamp: report.facts.run.startedAt }),
  );
}

/**
 * allure-results/, replaced whole (a second `npm run report` does not double the claims). Written plainly, not by
 * allure's FileSystemWriter: that one fsyncs and renames every file, for results that appear while a run goes on
 * (the labs' live reporter keeps it); these are written after the run, about three files per result, and for a
 * 900-cell check its fsyncs were two of the check's seconds.
 */
function writeAllure(report: Report): void {
  const resultsDir = join(report.dir, "allure-results");
  rmSync(resultsDir, { recursive: true, force: true });
  writeAllureFiles(resultsDir, allureOutput({ facts: report.facts, pictures: report.pictures }));
}

/** The files allure's FileSystemWriter would write for `output`, byte for byte, each written once. */
export function writeAllureFiles(resultsDir: string, output: AllureOutput): void {
  mkdirSync(resultsDir, { recursive: true });
  for (const file of output.files) writeFileSync(join(resultsDir, file.name), file.content);
  for (const result of output.results)
    writeFileSync(join(resultsDir, `${result.uuid}-result.json`), JSON.stringify(result));
  writeFileSync(join(resultsDir, "environment.properties"), stringifyEnvInfo(output.environment));
}

export const REPORT_WRITERS: Record<ReportFormat, ReportWriter> = {
  topology: writeTopology,
  json: writeJson,
  summary: (report) => writeFileSync(join(report.dir, "summary.md"), summaryMarkdown(report.facts)),
  junit: writeJunit,
  allure: writeAllure,
};

export interface WrittenReports {
  /** The facts as written: with each lab's matrix and, where drawn, its picture's path. */
  facts: Facts;
  /** What could not be drawn or written, and why; the other reports are written all the same. */
  problems: string[];
}

/**
 * Writes the reports of `formats` from a run's facts into `dir` (labs in lesson order, each with its
 * reachability matrix). A lab run leaves out allure: allure-vitest wrote it while the labs ran.
 */
export async function writeReports(
  dir: string,
  input: Facts,
  formats: readonly ReportFormat[] = REPORT_FORMATS,
  options: { otherSuites?: JunitSuite[] } = {},
): Promise<WrittenReports> {
  mkdirSync(dir, { recursive: true });
  const report: Report = {
    dir,
    facts: withMatrices(input),
    pictures: new Map(),
    problems: [],
    otherSuites: options.otherSuites ?? [],
  };
  for (const format of REPORT_FORMATS) if (formats.includes(format)) await REPORT_WRITERS[format](report);
  debug("Wrote %s to %s", REPORT_FORMATS.filter((format) => formats.includes(format)).join(", "), dir);
  return { facts: report.facts, problems: report.problems };
}
