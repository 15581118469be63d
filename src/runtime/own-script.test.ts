import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ownScript } from "./own-script.js";

describe("a script of netlab's own runs the way the process that starts it runs", () => {
  it("compiled: the module in dist/, no loader", () => {
    const argv = ownScript("lifecycle/reaper", true);
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(/\/dist\/lifecycle\/reaper\.js$/);
  });

  it("from the sources (tsx, vitest, as this test runs): the source through tsx, named by its path", () => {
    const [flag, loader, source] = ownScript("lifecycle/reaper");
    expect(flag).toBe("--import");
    expect(loader).toMatch(/^file:\/\/.*\/node_modules\/tsx\/dist\/loader\.mjs$/);
    expect(source).toMatch(/\/src\/lifecycle\/reaper\.ts$/);
    expect(existsSync(source!)).toBe(true);
  });

  it("starts from any working directory (a bare `--import tsx` would not be found there: control)", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "netlab-own-script-"));
    try {
      // A run id the reaper refuses: it exits 2 once loaded, before touching any engine.
      const started = await execa(process.execPath, [...ownScript("lifecycle/reaper"), "not-a-run"], {
        cwd: elsewhere,
        reject: false,
      });
      expect(started.exitCode, started.stderr).toBe(2);
      const bare = await execa(
        process.execPath,
        ["--import", "tsx", ...ownScript("lifecycle/reaper").slice(2), "not-a-run"],
        { cwd: elsewhere, reject: false },
      );
      expect(bare.stderr).toContain("Cannot find package 'tsx'");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
