import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allureOutput, copiesWithin, PICTURE_BUDGET_BYTES, PICTURED, writeAllureResults } from "./allure-writer.js";
import { check, failingDemo } from "./fixtures/sample-facts.js";
import { withMatrices } from "./report-files.js";
import { lessonOf } from "../core/lesson/lesson.js";

const facts = withMatrices(failingDemo());
let counter = 0;
const output = allureOutput({ facts, pictures: new Map([["demo", "<svg>demo</svg>"]]), newId: () => `id${++counter}` });
const result = (claim: string) => output.results.find((candidate) => candidate.name?.startsWith(`${claim} `));
const label = (claim: string, name: string) =>
  result(claim)?.labels.find((candidate) => candidate.name === name)?.value;
const file = (source: string | undefined) =>
  output.files.find((candidate) => candidate.name === source)?.content.toString("utf8");

describe("allure results from facts", () => {
  it("makes labs features and claims stories, with the claim's outcome", () => {
    expect(output.results.map((candidate) => [candidate.name, candidate.status])).toEqual([
      ["D1 the client reaches the server", "passed"],
      ["D2 the sentinel | is out of reach", "failed"],
      ["D3 skipped here", "skipped"],
    ]);
    expect([label("D2", "feature"), label("D2", "story"), label("D2", "tag")]).toEqual([
      "demo",
      "D2 the sentinel | is out of reach",
      "D2",
    ]);
    // Labels that would be the same on every result say nothing.
    expect(result("D2")?.labels.map((candidate) => candidate.name)).not.toContain("epic");
    expect(result("D2")?.statusDetails.message).toMatch(/^expected outcome timed-out/);
    expect(result("D2")?.statusDetails.trace).toContain(
      "$ docker exec netlab-1a2b3c4d-demo-client timeout 3 nc 198.18.0.2 80",
    );
    expect(result("D3")?.statusDetails.message).toBe("kernel lacks ipvlan");
  });

  it("has one step per probe, failed where the outcome was not the expected one, with the command as a parameter", () => {
    expect(result("D2")?.steps.map((step) => [step.name, step.status])).toEqual([
      ["tcp client → 198.18.0.2:80: connected, expected timed-out", "failed"],
      ["dns isolated → sentinel.netlab.test: unreachable", "passed"],
      ["listen server → 172.17.0.3:8080: listening (recorded)", "passed"],
    ]);
    const step = result("D2")?.steps[0];
    expect(step?.parameters).toContainEqual({
      name: "command",
      value: "docker exec netlab-1a2b3c4d-demo-client timeout 3 nc 198.18.0.2 80",
    });
    expect([step?.start, step?.stop]).toEqual([1_700_000_000_488, 1_700_000_000_500]);
  });

  it("attaches each observation, the topology picture and the matrix to every claim of the lab", () => {
    const attachments = result("D2")?.attachments ?? [];
    expect(attachments.map((attachment) => [attachment.name, attachment.type])).toEqual([
      ["observed", "text/plain"],
      ["topology: demo (as observed)", "image/svg+xml"],
      ["reachability: demo", "text/html"],
    ]);
    expect(file(attachments[0]?.source)).toBe("routes:\n  - destination: default, via: 172.17.0.1\n");
    expect(file(attachments[1]?.source)).toBe("<svg>demo</svg>");
    // The matrix is a real HTML table: no <br> shown as text, no glyph a font may lack.
    const matrix = file(attachments[2]?.source) ?? "";
    expect(matrix).toContain('<div class="mismatch"');
    expect(matrix).toContain("✗ connected, expected timed-out (D2)</div>");
    expect(matrix).not.toMatch(/&lt;br&gt;|＼/);
    // Each claim has its own copy: Allure links a file to one result only.
    expect(result("D1")?.attachments.find((attachment) => attachment.type === "image/svg+xml")?.source).not.toBe(
      attachments[1]?.source,
    );
  });

  it("copies a large lab's pictures onto a few results only, failed ones first, and says where they are", () => {
    const many = {
      ...facts.labs[0]!,
      checks: Array.from({ length: PICTURED + 5 }, (_, index) =>
        check({ claim: `M${index}`, title: `M${index}`, state: index === PICTURED + 2 ? "failed" : "passed" }),
      ),
    };
    const own = allureOutput({ facts: { ...facts, labs: [many] }, pictures: new Map([["demo", "<svg>demo</svg>"]]) });
    const pictured = own.results.filter((candidate) =>
      candidate.attachments.some((attachment) => attachment.type === "image/svg+xml"),
    );
    expect(pictured.map((candidate) => candidate.name)).toEqual([
      ...Array.from({ length: PICTURED - 1 }, (_, index) => `M${index}`),
      `M${PICTURED + 2}`,
    ]);
    const plain = own.results.find((candidate) => candidate.name === `M${PICTURED + 4}`);
    expect(plain?.attachments.some((attachment) => attachment.type === "image/svg+xml")).toBe(false);
    expect(plain?.description).toContain("are attached to **M0**");
    expect(own.files.filter((entry) => entry.name.endsWith(".svg"))).toHaveLength(PICTURED);
  });

  it("copies pictures as large as a 900-cell matrix's fewer times, within a budget, once at least", () => {
    expect(copiesWithin(20_000)).toBe(PICTURED);
    expect(copiesWithin(835_000)).toBe(2);
    expect(copiesWithin(PICTURE_BUDGET_BYTES * 3)).toBe(1);
    expect(copiesWithin(0)).toBe(PICTURED);
  });

  it("keeps a retried claim's earlier attempts as results with the same history id, and lesson order for claims that never ran", () => {
    const retried = {
      ...facts.labs[0]!,
      checks: [
        check({
          claim: "R1",
          title: "R1 retried",
          retries: 1,
          attempts: [{ attempt: 1, observed: { try: 1 }, probes: [], assumptions: [], errors: ["refused"] }],
        }),
      ],
    };
    const own = allureOutput({ facts: { ...facts, labs: [retried] } });
    expect(own.results.map((candidate) => [candidate.status, candidate.statusDetails.message])).toEqual([
      ["failed", "refused"],
      ["passed", undefined],
    ]);
    expect(new Set(own.results.map((candidate) => candidate.historyId)).size).toBe(1);
    expect(result("D3")?.start).toBe((result("D2")?.start ?? 0) + 40);
  });

  it("gives Allure whole milliseconds, which its charts need, where vitest measured fractions", () => {
    const fractional = {
      ...facts.labs[0]!,
      checks: [check({ claim: "T1", title: "T1 timed", startedAt: 1_700_000_000_000.25, durationMs: 66.71 })],
    };
    const [timed] = allureOutput({ facts: { ...facts, labs: [fractional] } }).results;
    expect([timed?.start, timed?.stop]).toEqual([1_700_000_000_000, 1_700_000_000_067]);
  });

  it("writes results, attachments and the engine as environment into an allure-results directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "netlab-allure-test-"));
    try {
      writeAllureResults(dir, output);
      const names = readdirSync(dir);
      expect(names.filter((name) => name.endsWith("-result.json"))).toHaveLength(3);
      expect(names).toContain("environment.properties");
      expect(readFileSync(join(dir, "environment.properties"), "utf8")).toContain("docker.version=20.10.24+dfsg1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("allure results carry the lesson", () => {
  const lab = {
    ...facts.labs[0]!,
    lab: "macvlan",
    checks: [
      check({ claim: "M3a", title: "M3a ipvlan l2", state: "skipped", skipReason: "the kernel refused ipvlan l2" }),
      check({ claim: "M1", title: "M1 own MAC" }),
    ],
  };
  const own = allureOutput({ facts: { ...facts, labs: [lab] } });
  const described = (claim: string) =>
    own.results.find((candidate) => candidate.name?.startsWith(`${claim} `))?.description ?? "";

  it("describes each claim with its concept, why, the command to see it and the Docs page", () => {
    const lesson = lessonOf("macvlan", "M1")!;
    expect(described("M1")).toContain(`**Why.** ${lesson.why}`);
    expect(described("M1")).toContain(lesson.command);
    expect(described("M1")).toContain(`(${lesson.docs})`);
  });

  it("says of a skipped claim why it was skipped and what would make it run", () => {
    expect(described("M3a")).toContain("**Skipped:** the kernel refused ipvlan l2");
    expect(described("M3a")).toContain(`**To run it:** ${lessonOf("macvlan", "M3a")!.toRun}`);
  });
});
