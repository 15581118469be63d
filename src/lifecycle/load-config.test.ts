import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

// Each test has a directory of its own: whatever netlab.config.json the working directory holds is never read.
const dirs: string[] = [];
function dir(): string {
  const made = mkdtempSync(join(tmpdir(), "netlab-config-"));
  dirs.push(made);
  return made;
}
afterEach(() => {
  for (const made of dirs.splice(0)) rmSync(made, { recursive: true, force: true });
});

describe("loadConfig", () => {
  it("uses the defaults when the directory has no config file", () => {
    expect(loadConfig({}, dir())).toMatchObject({ labPool: "10.213.0.0/16", probeTimeoutMs: 3000 });
  });

  it("reads netlab.config.json in the directory, with the environment on top", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "netlab.config.json"), JSON.stringify({ labPool: "10.9.0.0/16", probeTimeoutMs: 4000 }));
    expect(loadConfig({ NETLAB_PROBE_TIMEOUT_MS: "5000" }, cwd)).toMatchObject({
      labPool: "10.9.0.0/16",
      probeTimeoutMs: 5000,
    });
  });

  it("reads NETLAB_CONFIG instead, and names it when it is malformed", () => {
    const path = join(dir(), "mine.json");
    writeFileSync(path, "{ nope");
    expect(() => loadConfig({ NETLAB_CONFIG: path }, dir())).toThrow(`config file ${path} is not valid JSON`);
  });

  it("says a NETLAB_CONFIG that names no file is no such file", () => {
    const path = join(dir(), "absent.json");
    expect(() => loadConfig({ NETLAB_CONFIG: path }, dir())).toThrow(
      `config file ${path} (NETLAB_CONFIG): no such file`,
    );
  });

  it("names the file and the key of a bad value in it", () => {
    const path = join(dir(), "mine.json");
    writeFileSync(path, JSON.stringify({ probeTimeoutMs: "soon" }));
    expect(() => loadConfig({ NETLAB_CONFIG: path }, dir())).toThrow(
      `invalid probeTimeoutMs="soon" in config file ${path}`,
    );
  });

  it("counts an empty NETLAB_CONFIG as unset: the directory's file is read", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "netlab.config.json"), JSON.stringify({ labPool: "10.9.0.0/16" }));
    expect(loadConfig({ NETLAB_CONFIG: "" }, cwd)).toMatchObject({ labPool: "10.9.0.0/16" });
  });
});
