import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import createDebug from "debug";
import { allureOutput, writeAllureResults } from "./allure-writer.js";
import { inLessonOrder } from "../core/lesson/lesson.js";
import { FACTS_SCHEMA_VERSION, factsJsonSchema, factsSchema, type Facts } from "../core/facts-schema.js";
import { buildMatrix, matrixContext } from "./matrix.js";
import { TOPOLOGY_DIR } from "./reports-dir.js";
import { summaryMarkdown } from "./summary-writer.js";
import { topologyContext, topologyDot } from "./topology.js";
import { GraphvizMissingError, graphvizMissingLine, renderSvg } from "./topology-render.js";

const debug = createDebug("netlab:report");

export class FactsFileError extends Error {
  override name = "FactsFileError";
}

const fileName = (lab: string) => lab.replace(/[^\w.-]+/g, "-");

/** Adds what is computed from the records themselves (each lab's reachability matrix) and puts the labs in lesson order. */
export function withMatrices(facts: Facts): Facts {
  const context = matrixContext(facts.run);
  const labs = inLessonOrder(facts.labs, (lab) => lab.lab);
  return { ...facts, labs: labs.map((lab) => ({ ...lab, matrix: buildMatrix(lab, context) })) };
}

export function readFacts(dir: string): Facts {
  const path = join(dir, "facts.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FactsFileError(`no readable facts.json in ${dir}: run the labs first (npm run lab): ${(error as Error).message}`, { cause: error });
  }
  const parsed = factsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FactsFileError(`${path} does not match facts schema version ${FACTS_SCHEMA_VERSION}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface WrittenReports {
  facts: Facts;
  /** Pictures that could not be drawn, and why; the other reports are written all the same. */
  problems: string[];
}

export interface WriteOptions {
  /**
   * Whether to write allure-results/ from the facts (replacing it whole): for runs without vitest (`netlab
   * check`). A lab run leaves it to allure-vitest, which wrote it while the labs ran.
   */
  allure?: boolean;
}

/**
 * Everything a run's facts give, written into `dir`: topology/<lab>.dot and .svg, facts.json (with the
 * matrices and picture paths) and its JSON Schema, summary.md, and (unless told not to) allure-results/.
 */
export async function writeLabReports(dir: string, input: Facts, options: WriteOptions = {}): Promise<WrittenReports> {
  const problems: string[] = [];
  const undrawn: string[] = [];
  const facts = withMatrices(input);
  const pictures = new Map<string, string>();
  const context = topologyContext(facts.run);
  mkdirSync(join(dir, TOPOLOGY_DIR), { recursive: true });
  const labs = await Promise.all(
    facts.labs.map(async (lab) => {
      const base = join(TOPOLOGY_DIR, fileName(lab.lab));
      const dot = topologyDot(lab, context);
      writeFileSync(join(dir, `${base}.dot`), dot);
      try {
        const svg = await renderSvg(dot, lab.lab);
        writeFileSync(join(dir, `${base}.svg`), svg);
        pictures.set(lab.lab, svg);
        return { ...lab, topology: `${base}.svg` };
      } catch (error) {
        if (error instanceof GraphvizMissingError) undrawn.push(lab.lab);
        else problems.push((error as Error).message);
        const { topology: _, ...rest } = lab;
        return rest;
      }
    }),
  );
  // A missing Graphviz is one fact about the machine, said once, not once per lab.
  if (undrawn.length > 0) problems.unshift(graphvizMissingLine(undrawn));
  const complete = factsSchema.parse({ ...facts, labs });
  writeFileSync(join(dir, "facts.json"), `${JSON.stringify(complete, null, 2)}\n`);
  writeFileSync(join(dir, "facts.schema.json"), `${JSON.stringify(factsJsonSchema(), null, 2)}\n`);
  writeFileSync(join(dir, "summary.md"), summaryMarkdown(complete));
  if (options.allure ?? true) {
    const resultsDir = join(dir, "allure-results");
    rmSync(resultsDir, { recursive: true, force: true });
    writeAllureResults(resultsDir, allureOutput({ facts: complete, pictures }));
  }
  debug("Wrote facts.json, summary.md, %d topology picture(s)%s to %s", pictures.size, (options.allure ?? true) ? " and allure-results" : "", dir);
  return { facts: complete, problems };
}
