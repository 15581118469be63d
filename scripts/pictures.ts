/**
 * `npm run pictures`: the README's pictures, made from a real run. Runs a few labs into a scratch reports
 * directory, builds the HTML report, photographs one claim of it (its lesson and its steps) in headless
 * Chromium (offline, in a network namespace with only loopback: src/report/browser.ts), and draws one lab's
 * topology with Graphviz. Writes docs/report.png and docs/topology.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { openBrowser } from "../src/report/browser.js";
import { readFacts } from "../src/report/report-files.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DOCS = join(ROOT, "docs");
const LABS = ["labs/bridge.lab.test.ts", "labs/none.lab.test.ts", "labs/published.lab.test.ts"];
/** The claim photographed, and the lab whose topology is drawn. */
const CLAIM = "B8";
const TOPOLOGY = "published";

const require = createRequire(import.meta.url);
const VITEST = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const TSX = join(dirname(require.resolve("tsx/package.json")), "dist", "cli.mjs");

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "netlab-pictures-"));
  const env = { ...process.env, NETLAB_REPORTS_DIR: dir, FORCE_COLOR: "0" };
  try {
    console.log(`netlab: running ${LABS.join(", ")} into ${dir}…`);
    const run = await execa(process.execPath, [VITEST, "run", "--project", "labs", ...LABS], {
      cwd: ROOT,
      env,
      reject: false,
      all: true,
      stdin: "ignore",
    });
    if (run.exitCode !== 0)
      throw new Error(
        `the labs did not pass (exit ${run.exitCode}):\n${String(run.all).split("\n").slice(-30).join("\n")}`,
      );
    await execa(process.execPath, [TSX, "src/cli/report.ts"], { cwd: ROOT, env, stdin: "ignore" });
    mkdirSync(DOCS, { recursive: true });

    const facts = readFacts(dir);
    const title = facts.labs.flatMap((lab) => lab.checks).find((check) => check.claim === CLAIM)?.title;
    if (!title) throw new Error(`claim ${CLAIM} is not in the run's facts`);
    const browser = await openBrowser(join(dir, "html"));
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(browser.url);
      const drawn = (text: string) =>
        page.getByText(text, { exact: true }).first().waitFor({ state: "visible", timeout: 60_000 });
      await drawn("bridge");
      if ((await page.getByText(title, { exact: true }).count()) === 0)
        await page.getByText("bridge", { exact: true }).first().click();
      await drawn(title);
      await page.getByText(title, { exact: true }).first().click();
      await page.getByText("Test body").first().waitFor({ state: "visible", timeout: 60_000 });
      await page.screenshot({ path: join(DOCS, "report.png") });
      if (browser.external.length > 0)
        throw new Error(`the report asked for other hosts: ${browser.external.join(", ")}`);
    } finally {
      await browser.close();
    }
    await execa("dot", [
      "-Tpng",
      "-Gdpi=72",
      join(dir, "topology", `${TOPOLOGY}.dot`),
      "-o",
      join(DOCS, "topology.png"),
    ]);
    console.log(
      `netlab: wrote docs/report.png (claim ${CLAIM} in the HTML report) and docs/topology.png (lab ${TOPOLOGY}), from run ${facts.run.runId}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(`netlab: ${(error as Error).message}`);
  process.exitCode = 1;
}
