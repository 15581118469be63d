import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { check, failingDemo } from "./fixtures/sample-facts.js";
import { allureOutput, writeAllureResults } from "./allure-writer.js";
import { REPORT_FORMATS, REPORT_WRITERS, writeAllureFiles, writeReports } from "./writers.js";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "netlab-writers-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const outputs = (dir: string) => readdirSync(dir).sort();

describe("one report pipeline: a registry of writers", () => {
  it("has one writer for each format", () => {
    expect(Object.keys(REPORT_WRITERS).sort()).toEqual([...REPORT_FORMATS].sort());
  });

  it("writes only the formats asked for (a lab run leaves allure-results to allure-vitest)", async () => {
    const dir = scratch();
    await writeReports(dir, failingDemo(), ["topology", "json", "summary", "junit"]);
    expect(outputs(dir)).toEqual(["facts.json", "facts.schema.json", "junit.xml", "summary.md", "topology"]);
  });

  it("control: every format by default, allure-results with them", async () => {
    const dir = scratch();
    await writeReports(dir, failingDemo());
    expect(outputs(dir)).toEqual([
      "allure-results",
      "facts.json",
      "facts.schema.json",
      "junit.xml",
      "summary.md",
      "topology",
    ]);
  });

  it("junit.xml alone, with the run's other test files after the labs", async () => {
    const dir = scratch();
    const other = {
      name: "unit: src/x.test.ts",
      file: "src/x.test.ts",
      errors: [],
      checks: [check({ claim: "x", title: "x works" })],
    };
    await writeReports(dir, failingDemo(), ["junit"], { otherSuites: [other] });
    expect(outputs(dir)).toEqual(["junit.xml"]);
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    const demo = xml.indexOf('<testsuite name="demo"');
    expect(demo).toBeGreaterThanOrEqual(0);
    expect(xml.indexOf('<testsuite name="unit: src/x.test.ts"')).toBeGreaterThan(demo);
    expect(xml).toContain(`timestamp="${failingDemo().run.startedAt}"`);
    expect(existsSync(join(dir, "facts.json"))).toBe(false);
  });

  it("writes junit.xml first: facts that fail their schema still leave CI its junit.xml", async () => {
    const dir = scratch();
    const bad = { ...failingDemo(), schemaVersion: 1 } as unknown as ReturnType<typeof failingDemo>;
    await expect(writeReports(dir, bad)).rejects.toThrow();
    expect(outputs(dir)).toContain("junit.xml");
    expect(outputs(dir)).not.toContain("facts.json");
  });
});

describe("allure-results written once per file", () => {
  it("holds the very files allure's own writer gives, byte for byte", () => {
    let id = 0;
    const output = allureOutput({
      facts: failingDemo(),
      pictures: new Map([["demo", "<svg/>"]]),
      newId: () => `id-${(id += 1)}`,
    });
    const [ours, allures] = [scratch(), scratch()];
    writeAllureFiles(ours, output);
    writeAllureResults(allures, output);
    const contents = (dir: string) => outputs(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]);
    expect(outputs(ours).length).toBeGreaterThan(3);
    expect(contents(ours)).toEqual(contents(allures));
  });
});
