import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { failingDemo } from "./fixtures/sample-facts.js";
import { FactsFileError, readFacts } from "./report-files.js";
import { writeReports } from "./writers.js";
import { graphvizMissing } from "./topology-render.js";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "netlab-report-files-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("report files from facts", () => {
  it("writes facts.json with matrices and picture paths, its JSON Schema, summary.md, the pictures and allure-results", async (context) => {
    const noDot = await graphvizMissing();
    context.skip(noDot !== undefined, noDot);
    const dir = scratch();
    const { facts, problems } = await writeReports(dir, failingDemo());
    expect(problems).toEqual([]);
    expect(facts.labs[0]).toMatchObject({ topology: "topology/demo.svg", matrix: { mismatches: 1 } });
    for (const name of ["facts.json", "facts.schema.json", "summary.md", "topology/demo.dot", "topology/demo.svg"])
      expect(existsSync(join(dir, name)), name).toBe(true);
    expect(readdirSync(join(dir, "allure-results")).filter((name) => name.endsWith("-result.json"))).toHaveLength(3);
    expect(readFacts(dir)).toEqual(facts);
  });

  it("replaces allure-results whole when written again, so a second `npm run report` does not double the claims", async () => {
    const dir = scratch();
    await writeReports(dir, failingDemo());
    await writeReports(dir, readFacts(dir));
    expect(readdirSync(join(dir, "allure-results")).filter((name) => name.endsWith("-result.json"))).toHaveLength(3);
  });

  it("still writes every other report when Graphviz is missing, and says so once for every lab", async () => {
    const dir = scratch();
    const demo = failingDemo();
    const labs = ["bridge", "none", "host"].map((name) => ({ ...demo.labs[0]!, lab: name }));
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const { facts, problems } = await writeReports(dir, { ...demo, labs });
      expect(problems).toEqual([
        `drawing the 3 labs' pictures (bridge, none, host) needs Graphviz's dot, which is not installed: install graphviz (npm run provision does); each .dot file is written all the same`,
      ]);
      expect(facts.labs.map((lab) => lab.topology)).toEqual([undefined, undefined, undefined]);
      expect(existsSync(join(dir, "topology/bridge.dot"))).toBe(true);
    } finally {
      process.env.PATH = path;
    }
  });

  it("control: one lab without Graphviz is named as before", async () => {
    const dir = scratch();
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const { facts, problems } = await writeReports(dir, failingDemo());
      expect(problems).toEqual([
        `drawing "demo" needs Graphviz's dot, which is not installed: install graphviz (npm run provision does); each .dot file is written all the same`,
      ]);
      expect(facts.labs[0]?.topology).toBeUndefined();
      expect(readFileSync(join(dir, "summary.md"), "utf8")).not.toContain("Topology as observed");
      expect(existsSync(join(dir, "topology/demo.dot"))).toBe(true);
    } finally {
      process.env.PATH = path;
    }
  });

  it("refuses a facts.json that is missing or of another schema version, saying which", () => {
    const dir = scratch();
    expect(() => readFacts(dir)).toThrow(FactsFileError);
    writeFileSync(join(dir, "facts.json"), JSON.stringify({ ...failingDemo(), schemaVersion: 1 }));
    expect(() => readFacts(dir)).toThrow(/does not match facts schema version 2: schemaVersion/);
  });
});
