import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildIsFresh, digest, sourceFiles, stampText } from "../../bin/cli-build.mjs";

/** A package in a scratch folder: src/ with two modules and a test, dist/ stamped from the sources as they are. */
function builtPackage(): { src: string; dist: string } {
  const root = mkdtempSync(join(tmpdir(), "netlab-build-"));
  roots.push(root);
  const src = join(root, "src");
  const dist = join(root, "dist");
  mkdirSync(join(src, "cli"), { recursive: true });
  mkdirSync(join(dist, "cli"), { recursive: true });
  writeFileSync(join(src, "cli", "main.ts"), "export const a = 1;\n");
  writeFileSync(join(src, "cli", "main.test.ts"), "// not a source\n");
  writeFileSync(join(src, "cli", "cli-test-helpers.ts"), "// only tests use it\n");
  mkdirSync(join(src, "cli", "fixtures"));
  writeFileSync(join(src, "cli", "fixtures", "sample.ts"), "// only tests use it\n");
  writeFileSync(join(src, "sentinel.mjs"), "export const b = 2;\n");
  writeFileSync(join(dist, "cli", "main.js"), "export const a = 1;\n");
  stamp(src, dist);
  return { src, dist };
}

/** What the build writes: each source's digest, the stamp's time that of the build. */
function stamp(src: string, dist: string): void {
  writeFileSync(
    join(dist, ".built"),
    stampText(Object.fromEntries(sourceFiles(src).map((source) => [source, digest(readFileSync(join(src, source)))]))),
  );
}

const later = (path: string) => utimesSync(path, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("dist/ is fresh while it was built from the sources as they are", () => {
  it("lists the sources a build compiles: modules, not tests", () => {
    expect(sourceFiles(builtPackage().src)).toEqual(["cli/main.ts", "sentinel.mjs"]);
  });

  it("fresh right after the build, and when every source is newer with the same content (an unpacked tarball)", () => {
    const { src, dist } = builtPackage();
    expect(buildIsFresh(src, dist)).toBe(true);
    later(join(src, "cli", "main.ts"));
    later(join(src, "sentinel.mjs"));
    expect(buildIsFresh(src, dist)).toBe(true);
  });

  it("stale once a source's content changes", () => {
    const { src, dist } = builtPackage();
    writeFileSync(join(src, "cli", "main.ts"), "export const a = 2;\n");
    later(join(src, "cli", "main.ts"));
    expect(buildIsFresh(src, dist)).toBe(false);
  });

  it("stale when a source is added or removed", () => {
    const added = builtPackage();
    writeFileSync(join(added.src, "cli", "extra.ts"), "export {};\n");
    expect(buildIsFresh(added.src, added.dist)).toBe(false);
    const removed = builtPackage();
    rmSync(join(removed.src, "sentinel.mjs"));
    expect(buildIsFresh(removed.src, removed.dist)).toBe(false);
  });

  it("stale without a stamp of this format, or without the compiled command", () => {
    const old = builtPackage();
    writeFileSync(join(old.dist, ".built"), `${new Date().toISOString()}\n`);
    expect(buildIsFresh(old.src, old.dist)).toBe(false);
    const unbuilt = builtPackage();
    rmSync(join(unbuilt.dist, "cli", "main.js"));
    expect(buildIsFresh(unbuilt.src, unbuilt.dist)).toBe(false);
  });
});
