import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StoppedRun } from "../core/stopped-run.js";
import { junitStopped } from "./junit-writer.js";
import { writeStoppedReports } from "./stopped-reports.js";
import { summaryStopped } from "./summary-writer.js";

const badSpec: StoppedRun = {
  command: "netlab check net.yaml --up",
  outcome: "bad-spec",
  meaning: "bad spec or usage",
  exitCode: 2,
  lines: [
    "net.yaml:4:11 unknown service `wbe` (did you mean `web`?)",
    "net.yaml:9:9 bad port 90000 in `api:90000` <&>",
  ],
  startedAt: new Date("2026-01-02T03:04:05.000Z"),
};

const dir = mkdtempSync(join(tmpdir(), "netlab-stopped-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the reports of a check that stopped before deciding anything", () => {
  it("junit.xml: one testcase, failed, its message the first line, its text every line and what the exit means", () => {
    const xml = junitStopped(badSpec);
    expect(xml).toContain('<testsuites name="netlab" tests="1" failures="1" errors="0" skipped="0" time="0.000">');
    expect([...xml.matchAll(/<testcase /g)]).toHaveLength(1);
    expect(xml).toContain(
      '<failure message="net.yaml:4:11 unknown service `wbe` (did you mean `web`?)" type="bad-spec">',
    );
    expect(xml).toContain(
      "net.yaml:9:9 bad port 90000 in `api:90000` &lt;&amp;&gt;\n\nexit 2: bad spec or usage</failure>",
    );
    expect(xml).toContain('timestamp="2026-01-02T03:04:05.000Z"');
  });

  it("summary.md: a red heading with the outcome and exit code, the command, every line printed", () => {
    const markdown = summaryStopped(badSpec);
    expect(markdown.split("\n")[0]).toBe("# netlab: ✗ stopped before deciding any expectation: bad-spec (exit 2)");
    expect(markdown).toContain(
      "`netlab check net.yaml --up`, started 2026-01-02T03:04:05.000Z: no expectation was decided, so none held.",
    );
    for (const line of badSpec.lines) expect(markdown).toContain(`\n${line}\n`);
    expect(markdown).toContain("Exit 2: bad spec or usage.");
  });

  it("are written as summary.md and junit.xml in the reports directory", () => {
    writeStoppedReports(dir, { ...badSpec, outcome: "environment", exitCode: 3, lines: ["netlab: compose up failed"] });
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/^# netlab: ✗ .*: environment \(exit 3\)\n/);
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain(
      '<failure message="netlab: compose up failed" type="environment">',
    );
  });
});
