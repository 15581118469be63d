import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearRunOutputs, ensureReportsDir, REPORTS_MARKER, reportsDir, ReportsDirError } from "./reports-dir.js";

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), "netlab-reports-dir-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the reports directory", () => {
  it("is NETLAB_REPORTS_DIR, reports/ when it is unset or empty", () => {
    expect(reportsDir({ NETLAB_REPORTS_DIR: "/tmp/x" }, "/work/app")).toBe("/tmp/x");
    expect(reportsDir({ NETLAB_REPORTS_DIR: "" }, "/work/app")).toBe("/work/app/reports");
    expect(reportsDir({}, "/work/app")).toBe("/work/app/reports");
  });

  it("lies in the directory netlab was started from, a relative NETLAB_REPORTS_DIR too (not where netlab is installed)", () => {
    expect(reportsDir({ NETLAB_REPORTS_DIR: "out/net" }, "/work/app")).toBe("/work/app/out/net");
    expect(reportsDir({})).toBe(join(process.cwd(), "reports"));
  });

  it("is made when missing, nested too", () => {
    const dir = join(scratch(), "a", "b");
    expect(ensureReportsDir(dir)).toBe(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it("naming a file, or a path under a file, is one line naming the setting, not ENOTDIR", () => {
    const file = join(scratch(), "file");
    writeFileSync(file, "");
    expect(() => ensureReportsDir(file)).toThrow(ReportsDirError);
    expect(() => ensureReportsDir(file)).toThrow(
      `reports directory ${file} (NETLAB_REPORTS_DIR) is a file (or lies under one), not a directory`,
    );
    expect(() => ensureReportsDir(join(file, "sub"), "--reports-dir")).toThrow(
      /\(--reports-dir\) is a file \(or lies under one\)/,
    );
  });
});

describe("clearing what the last run wrote", () => {
  const outputs = (dir: string) => {
    mkdirSync(join(dir, "html"));
    writeFileSync(join(dir, "junit.xml"), "<testsuites/>\n");
    writeFileSync(join(dir, "notes.txt"), "mine\n");
  };

  it("clears netlab's outputs where netlab wrote before (its marker), nothing else", () => {
    const dir = scratch();
    outputs(dir);
    writeFileSync(join(dir, REPORTS_MARKER), "");
    clearRunOutputs(dir);
    expect([
      existsSync(join(dir, "html")),
      existsSync(join(dir, "junit.xml")),
      existsSync(join(dir, "notes.txt")),
    ]).toEqual([false, false, true]);
  });

  it("never deletes a user's own files in a folder netlab has not written to, and marks it for the next run", () => {
    const dir = scratch();
    outputs(dir);
    clearRunOutputs(dir);
    expect([existsSync(join(dir, "html")), existsSync(join(dir, "junit.xml"))]).toEqual([true, true]);
    expect(existsSync(join(dir, REPORTS_MARKER))).toBe(true);
  });
});
