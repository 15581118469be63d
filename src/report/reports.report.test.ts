import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser } from "./browser.js";
import { factsSchema, type Facts, type LabRecord } from "../core/facts-schema.js";
import { WRONG_SUBNET } from "./fixtures/failing.js";
import { cellOf } from "./matrix.js";
import { lessonOf } from "../core/lesson/lesson.js";

/**
 * Runs a fixture lab that fails on purpose in a nested vitest, into a reports directory of its own, builds
 * its HTML report with `npm run report`'s command, and checks what every report says, then opens the HTML
 * report in headless Chromium. The project's reports/ is left alone.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The lab that fails on purpose, and a real one (none: quick) whose claims have lessons. */
const FIXTURES = "{labs/fixtures/*.lab.fixture.ts,labs/none.lab.test.ts}";
const require = createRequire(import.meta.url);
const VITEST = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const TSX = join(dirname(require.resolve("tsx/package.json")), "dist", "cli.mjs");

/** The environment without the parent vitest's own variables, which would confuse the nested one. */
function childEnv(dir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_ENV$)/.test(key)),
  );
  return { ...env, NETLAB_REPORTS_DIR: dir, NETLAB_LAB_INCLUDE: FIXTURES, FORCE_COLOR: "0" };
}

let dir: string;
let facts: Facts;
let lab: LabRecord;
let labOutput: { exitCode?: number; all?: string };
let reportOutput: { exitCode?: number; all?: string };
/** How long a step may wait for the page to draw what it was asked for: within the test's own bound. */
const DRAWN_TIMEOUT_MS = 60_000;
const read = (name: string) => readFileSync(join(dir, name), "utf8");
const check = (claim: string) => {
  const found = lab.checks.find((candidate) => candidate.claim === claim);
  if (!found) throw new Error(`claim ${claim} is not in facts.json: ${lab.checks.map((c) => c.claim).join(", ")}`);
  return found;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "netlab-reports-"));
  const env = childEnv(dir);
  const run = await execa(process.execPath, [VITEST, "run", "--project", "labs"], {
    cwd: ROOT,
    env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: "ignore",
  });
  labOutput = { exitCode: run.exitCode, all: String(run.all) };
  const report = await execa(process.execPath, [TSX, "src/cli/report.ts"], {
    cwd: ROOT,
    env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: "ignore",
  });
  reportOutput = { exitCode: report.exitCode, all: String(report.all) };
  facts = factsSchema.parse(JSON.parse(read("facts.json")));
  const failing = facts.labs.find((candidate) => candidate.lab === "failing");
  if (!failing) throw new Error(`the fixture lab is not in facts.json; the nested run said:\n${labOutput.all}`);
  lab = failing;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("reports of a lab that fails on purpose", () => {
  it("the run fails, and writes every report into its own directory, not the project's reports/", () => {
    expect(labOutput.exitCode, labOutput.all).toBe(1);
    expect(reportOutput.exitCode, reportOutput.all).toBe(0);
    for (const name of [
      "junit.xml",
      "facts.json",
      "facts.schema.json",
      "summary.md",
      "topology/failing.svg",
      "topology/failing.dot",
      "html/index.html",
    ]) {
      expect(existsSync(join(dir, name)), name).toBe(true);
    }
    expect(readdirSync(join(dir, "allure-results")).some((name) => name.endsWith("-result.json"))).toBe(true);
    const project = join(ROOT, "reports");
    for (const name of ["facts.json", "junit.xml", "summary.md"]) {
      const path = join(project, name);
      if (existsSync(path)) expect(readFileSync(path, "utf8"), `reports/${name}`).not.toContain(facts.run.runId);
    }
  });

  it("facts.json records each claim's state, observations, attempts and skip reason", () => {
    expect([...lab.checks.map((c) => [c.claim, c.state])]).toEqual([
      ["F1", "passed"],
      ["F2", "failed"],
      ["F3", "failed"],
      ["F4", "passed"],
      ["F5", "skipped"],
    ]);
    const f2 = check("F2");
    expect(f2.observed.engineSubnet).toBe(
      facts.run.engine.bridge && (facts.run.engine.bridge as { subnet: string }).subnet,
    );
    expect(f2.errors[0]).toContain(`is not in ${WRONG_SUBNET}`);
    expect(check("F4")).toMatchObject({ retries: 1, errors: [], observed: { attempt: 2 } });
    expect(check("F4").attempts).toMatchObject([
      { attempt: 1, observed: { attempt: 1 }, probes: [{ outcome: "refused", expected: "connected" }] },
    ]);
    expect(check("F4").attempts[0]?.errors[0]).toMatch(/expected outcome connected/);
    expect(check("F5").skipReason).toMatch(/skipped on purpose/);
    expect(JSON.parse(read("facts.schema.json"))).toMatchObject({
      type: "object",
      properties: { schemaVersion: { const: 2 } },
    });
  });

  it("the matrix marks the one mismatch and keeps the outcomes that were as expected", () => {
    const matrix = lab.matrix;
    if (!matrix) throw new Error("no matrix for the fixture lab");
    const client = Object.keys(lab.containers).find((name) => name.endsWith("-client")) ?? "";
    const server = String(
      lab.containers[Object.keys(lab.containers).find((name) => name.endsWith("-server")) ?? ""]?.address,
    );
    const sentinel = `${String(facts.run.sentinel.address)}:${String(facts.run.sentinel.tcpPort)}`;
    expect(matrix.mismatches).toBe(1);
    expect(matrix.sources.map((source) => source.label)).toEqual(["client"]);
    expect(cellOf(matrix, client, sentinel)).toMatchObject([
      { claim: "F3", expected: ["timed-out"], observed: "connected", mismatch: true },
    ]);
    expect(
      cellOf(matrix, client, `${server}:8080`).map((entry) => [entry.claim, entry.observed, entry.mismatch]),
    ).toEqual([
      ["F1", "connected", false],
      ["F4", "connected", false],
    ]);
    expect(cellOf(matrix, client, `${server}:8081`)).toMatchObject([
      { claim: "F1", observed: "refused", mismatch: false },
    ]);
  });

  it("summary.md shows each claim with its mark and what was observed, the matrix, the engine and the time", () => {
    const summary = read("summary.md");
    const address = String(check("F2").observed.address);
    expect(summary).toMatch(/^# netlab: ✗ \d+ passed, 2 failed, 1 skipped in 2 lab\(s\)/);
    // Lesson order: the real lab (none) first, the fixture, which no lesson tells, after it.
    expect([...summary.matchAll(/^## [✓✗] (\S+):/gm)].map((match) => match[1])).toEqual(["none", "failing"]);
    expect(summary).toContain("<details><summary>why</summary>");
    expect(summary).toContain("```mermaid\nflowchart LR");
    expect(summary).toContain("## ✗ failing: 2 passed, 2 failed, 1 skipped");
    expect(summary).toMatch(/\| ✓ \| <b>F1<\/b>/);
    expect(summary).toMatch(
      new RegExp(
        `\\| ✗ \\| <b>F2</b>.*address: ${address.replaceAll(".", "\\.")}<br>.*is not in ${WRONG_SUBNET.replaceAll(".", "\\.")}`,
      ),
    );
    expect(summary).toMatch(/\| ✗ \| <b>F3<\/b>.*✗ client → [\d.:]+ connected/);
    expect(summary).toMatch(/\| ✓ \| <b>F4<\/b>.*passed on attempt 2 of 2/);
    expect(summary).toMatch(/\| – \| <b>F5<\/b>.*skipped: fixture: skipped on purpose/);
    expect(summary).toContain("<b>✗ connected, expected timed-out (F3)</b>");
    expect(summary).toContain("✓ refused (F1)");
    expect(summary).toContain("**1 mismatch(es).**");
    expect(summary).toContain("[topology/failing.svg](topology/failing.svg)");
    expect(summary).toMatch(/\| engine \| Docker \S+/);
    expect(summary).toMatch(/\| default bridge \| \S+ \d+\.\d+\.\d+\.\d+\/\d+, gateway \d+\.\d+\.\d+\.\d+,/);
    expect(summary).toMatch(/Total time: \*\*[\d.]+ (ms|s|min)/);
  });

  it("junit.xml has one testcase per claim; failures carry observations and commands to paste; attempts are kept", () => {
    const junit = read("junit.xml");
    const testcase = (claim: string) =>
      new RegExp(`<testcase name="${claim} [^"]*"[\\s\\S]*?(</testcase>|/>)`).exec(junit)?.[0] ?? "";
    expect(junit).toMatch(/<testsuite name="failing" [^>]*tests="5" failures="2" errors="0" skipped="1"/);
    expect(testcase("F2")).toMatch(/<failure message="[^"]*is not in 192\.0\.2\.0\/24/);
    expect(testcase("F2")).toContain(`address: ${String(check("F2").observed.address)}`);
    expect(testcase("F2")).toMatch(/\$ docker exec netlab-\w+-failing-\w+ ip -o addr/);
    expect(testcase("F2")).toMatch(/\$ docker inspect netlab-\w+-failing-\w+/);
    expect(testcase("F3")).toMatch(/✗ tcp netlab-\w+-failing-client → [\d.:]+: connected \(expected timed-out\)/);
    expect(testcase("F3")).toMatch(/\$ docker exec netlab-\w+-failing-client timeout \d+ nc /);
    expect(testcase("F4")).toMatch(/<flakyFailure message="expected outcome connected[^"]*" type="F4 attempt 1">/);
    expect(testcase("F5")).toMatch(/<skipped message="fixture: skipped on purpose/);
  });

  it("allure-results hold labs as features, claims as stories, probes as steps, pictures and observations as attachments", () => {
    const resultsDir = join(dir, "allure-results");
    const results = readdirSync(resultsDir)
      .filter((name) => name.endsWith("-result.json"))
      .map(
        (name) =>
          JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as {
            name: string;
            status: string;
            historyId: string;
            labels: Array<{ name: string; value: string }>;
            description?: string;
            fullName: string;
            steps: Array<{ name: string; status: string; parameters?: Array<{ name: string; value: string }> }>;
            attachments: Array<{ name: string; type: string; source: string }>;
          },
      );
    const f3 = results.find((result) => result.name.startsWith("F3 "));
    expect(f3?.status).toBe("failed");
    expect(f3?.labels).toEqual(
      expect.arrayContaining([
        { name: "feature", value: "failing" },
        { name: "story", value: f3?.name },
      ]),
    );
    // Written by allure-vitest as the lab ran: labels every result would share are left out.
    expect(f3?.labels.map((label) => label.name)).not.toEqual(expect.arrayContaining(["language"]));
    expect(f3?.steps).toMatchObject([
      { name: expect.stringMatching(/^tcp client → [\d.:]+: connected, expected timed-out$/), status: "failed" },
    ]);
    expect(f3?.steps[0]?.parameters).toEqual(
      expect.arrayContaining([
        { name: "command", value: expect.stringMatching(/^docker exec netlab-\w+-failing-client timeout \d+ nc /) },
      ]),
    );
    const picture = f3?.attachments.find((attachment) => attachment.type === "image/svg+xml");
    expect(readFileSync(join(resultsDir, picture?.source ?? "missing"), "utf8")).toContain("<svg");
    // Observations as attachments (allure-vitest wraps each in a step of its name), readable lines first.
    const f2 = results.find((result) => result.name.startsWith("F2 "));
    const observed =
      f2?.steps.flatMap(
        (step) => (step as { attachments?: Array<{ name: string; source: string }> }).attachments ?? [],
      ) ?? [];
    expect(observed.map((attachment) => attachment.name)).toEqual(["observed"]);
    expect(readFileSync(join(resultsDir, observed[0]?.source ?? "missing"), "utf8")).toMatch(
      /^address: [\d.]+\nengineSubnet: [\d./]+\n$/,
    );
    // Every claim of a lab carries the lab's topology and matrix, including one that was skipped.
    const f5 = results.find((result) => result.name.startsWith("F5 "));
    expect(f5?.attachments.map((attachment) => attachment.name)).toEqual([
      "topology: failing (as observed)",
      "reachability: failing",
    ]);
    // A real claim's description is its lesson.
    const n2 = results.find((result) => result.name.startsWith("N2 "));
    expect(n2?.description).toContain(`**Why.** ${lessonOf("none", "N2")?.why}`);
  });

  it("the topology picture is drawn from what was observed: both containers, their addresses and the veth pairs", () => {
    const dot = read("topology/failing.dot");
    const svg = read("topology/failing.svg");
    for (const facts of Object.values(lab.containers)) expect(svg).toContain(String(facts.address));
    expect(svg).toContain("client");
    expect(svg).toContain("server");
    expect(svg).toContain("sentinel");
    expect(dot).toMatch(/eth0@if\d+ +#\d+/);
    expect(dot).toMatch(/veth\w+@if\d+ +#\d+ \(veth\)/);
    expect(svg).not.toMatch(/<script|xlink:href="http/);
  });
});

describe("the HTML report in a real browser", () => {
  it("opens, shows every lab and claim, renders the topology pictures, and asks nothing of any other host", async () => {
    const html = read("html/index.html");
    expect(html).not.toMatch(/googletagmanager|gtag\(/);
    const browser = await openBrowser(join(dir, "html"));
    const server = { url: browser.url };
    try {
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      // What a failed wait says about the page, so that a failure explains itself (seen once: the lab's name
      // never showed after going back to the report, not reproduced since, even under a load of 10).
      const pageEvents: string[] = [];
      page.on("crash", () => pageEvents.push("renderer crashed"));
      page.on("console", (message) => message.type() === "error" && pageEvents.push(`console: ${message.text()}`));
      page.on("requestfailed", (request) =>
        pageEvents.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
      );
      // The report is one page that draws its tree from data it decodes after the load event, on a busy machine
      // later than expect.poll's default 1 s. So each step waits for the page's own sign that it is drawn (the element that comes
      // with the tree or the opened group, as long as the test may take), then checks everything at once.
      const drawn = async (text: string) => {
        try {
          await page
            .getByText(text, { exact: true })
            .filter({ visible: true })
            .first()
            .waitFor({ state: "visible", timeout: DRAWN_TIMEOUT_MS });
        } catch (error) {
          const body = await page
            .locator("body")
            .innerText({ timeout: 5000 })
            .catch((reason: Error) => `(page unreadable: ${reason.message})`);
          const matches = await page
            .getByText(text, { exact: true })
            .count()
            .catch(() => -1);
          throw new Error(
            `"${text}" not drawn at ${page.url()} (${matches} hidden match(es)); events: ${JSON.stringify(pageEvents)}; page errors: ${JSON.stringify(pageErrors)}; page text: ${JSON.stringify(body.slice(0, 600))}`,
            { cause: error },
          );
        }
      };
      const shown = async (text: string) =>
        expect(await page.getByText(text, { exact: true }).count(), text).toBeGreaterThan(0);
      await page.goto(server.url);
      await drawn(facts.labs[0]?.lab ?? "no lab in facts.json");
      for (const reported of facts.labs) {
        // A report with one lab opens it; with several, each lab is a closed group until clicked.
        await shown(reported.lab);
        const first = page.getByText(reported.checks[0]?.title ?? reported.lab, { exact: true });
        if ((await first.count()) === 0) await page.getByText(reported.lab, { exact: true }).first().click();
        await drawn(reported.checks[0]?.title ?? reported.lab);
        for (const claim of reported.checks) await shown(claim.title);
        // The picture of the lab, as an attachment of its first failed claim (or its first claim).
        const opened = reported.checks.find((claim) => claim.state === "failed") ?? reported.checks[0];
        if (!opened) continue;
        await page.getByText(opened.title, { exact: true }).first().click();
        await page.getByText(`topology: ${reported.lab} (as observed)`).first().click();
        const picture = page.locator('[data-testid="image-attachment-content"] img').first();
        await picture.waitFor({ state: "attached", timeout: DRAWN_TIMEOUT_MS });
        // decode() settles once the image is decoded (or cannot be): no clock involved.
        const width = await picture.evaluate((image) => {
          const img = image as unknown as { decode(): Promise<void>; naturalWidth: number };
          return img.decode().then(
            () => img.naturalWidth,
            () => 0,
          );
        });
        expect(width, `topology picture of ${reported.lab}`).toBeGreaterThan(0);
        await page.goto(server.url);
        await drawn(reported.lab);
      }
      expect(pageErrors).toEqual([]);
      expect(browser.requests.length).toBeGreaterThan(0);
      expect(browser.external).toEqual([]);
      expect(browser.requests.every((url) => url.startsWith(server.url) || /^(data|blob):/.test(url))).toBe(true);
      // Control: a request to another host (here 127.0.0.2, so it could not leave the machine either) is seen.
      const control = "http://127.0.0.2:9/netlab-control";
      await page.evaluate(
        (url) =>
          fetch(url).then(
            () => "answered",
            (error: Error) => error.message,
          ),
        control,
      );
      expect(browser.external).toEqual([control]);
    } finally {
      await browser.close();
    }
  });
});

describe("a claim in the HTML report", () => {
  it("opens and shows its why and its steps", async () => {
    const browser = await openBrowser(join(dir, "html"));
    try {
      const page = await browser.context.newPage();
      const title =
        facts.labs.find((reported) => reported.lab === "none")?.checks.find((claim) => claim.claim === "N2")?.title ??
        "N2 missing";
      const lesson = lessonOf("none", "N2");
      // The page draws its tree after the load event: wait for what is asked (as long as the test may take).
      const drawn = (text: string, exact = true) =>
        page.getByText(text, { exact }).first().waitFor({ state: "visible", timeout: 60_000 });
      await page.goto(browser.url);
      await drawn("none");
      if ((await page.getByText(title, { exact: true }).count()) === 0)
        await page.getByText("none", { exact: true }).first().click();
      await drawn(title);
      await page.getByText(title, { exact: true }).first().click();
      // The description (the claim's lesson) is drawn in a frame of its own.
      const why = (lesson?.why ?? "no lesson").slice(0, 60);
      const framesShowing = async (text: string) =>
        (
          await Promise.all(
            page.frames().map((frame) =>
              frame
                .getByText(text, { exact: false })
                .count()
                .catch(() => 0),
            ),
          )
        ).reduce((sum, count) => sum + count, 0);
      await expect
        .poll(() => framesShowing(why), { timeout: 60_000, message: `the why of N2: ${why}` })
        .toBeGreaterThan(0);
      await drawn("tcp isolated → ", false);
      expect(await page.getByText(/^tcp isolated → [\d.:]+: unreachable$/).count()).toBeGreaterThan(0);
      expect(browser.external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
