import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ownScript } from "./own-script.js";

describe("a script of netlab's own runs the way the process that starts it runs", () => {
  it("compiled: the module in dist/, no loader", () => {
    const argv = ownScript("lifecycle/reaper", true);
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(/\/dist\/lifecycle\/reaper\.js$/);
  });

  it("from the sources (tsx, vitest): the source through tsx, which this test's own process is", () => {
    const [flag, loader, source] = ownScript("lifecycle/reaper");
    expect([flag, loader]).toEqual(["--import", "tsx"]);
    expect(source).toMatch(/\/src\/lifecycle\/reaper\.ts$/);
    expect(existsSync(source!)).toBe(true);
  });
});
