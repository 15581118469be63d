import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { buildHtmlReport } from "../report/html-report.js";
import { readFacts } from "../report/report-files.js";
import { reportsDir } from "../report/reports-dir.js";
import { writeReports } from "../report/writers.js";

/**
 * `npm run report`: from the last run's facts.json, redraws the topology pictures, summary.md and
 * allure-results/, then builds the HTML report into html/ (offline, one index.html that opens from disk).
 */
async function main(): Promise<number> {
  const dir = reportsDir();
  const say = (line: string) => console.log(`netlab: ${line}`);
  const facts = readFacts(dir);
  // A lab run's allure-results are allure-vitest's, written as the labs ran: kept. Only where there are none
  // (removed, or never written) are they written from facts.json.
  const resultsDir = join(dir, "allure-results");
  const haveResults = existsSync(resultsDir) && readdirSync(resultsDir).some((name) => name.endsWith("-result.json"));
  const { facts: written, problems } = await writeReports(dir, facts, [
    "topology",
    "json",
    "summary",
    ...(haveResults ? [] : (["allure"] as const)),
  ]);
  for (const problem of problems) say(`warning: ${problem}`);
  const html = await buildHtmlReport({ resultsDir, outputDir: join(dir, "html") });
  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near && !near.startsWith("..") ? near : path;
  };
  say(
    `${written.labs.length} lab(s), ${written.labs.reduce((count, lab) => count + lab.checks.length, 0)} claim(s) from ${shown(join(dir, "facts.json"))}`,
  );
  say(`summary: ${shown(join(dir, "summary.md"))}; pictures: ${shown(join(dir, "topology"))}/`);
  say(`HTML report: ${shown(html.index)} (built in ${html.durationMs} ms; open it in a browser, no server needed)`);
  if (html.removed.length > 0) say(`removed ${html.removed.length} script tag(s) that would have called another host`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`netlab: ${(error as Error).name}: ${(error as Error).message}`);
  process.exitCode = 1;
}
