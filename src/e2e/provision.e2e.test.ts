import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { netlab } from "./netlab-cli.js";

/**
 * Provisioning on a machine whose engine answers, with recording stand-ins for apt-get and dpkg-query first
 * on PATH: what netlab would install is written to a log instead of happening.
 */
function standIns(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "netlab-apt-"));
  const log = join(dir, "calls.log");
  for (const name of ["apt-get", "dpkg-query"]) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${name === "dpkg-query" ? "exit 1" : "exit 0"}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return { dir, log };
}

const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

/** A PATH holding the stand-ins and every tool netlab looks for except Graphviz's dot. */
async function pathWithoutDot(dir: string): Promise<string> {
  const tools = join(dir, "tools");
  await execa("mkdir", [tools]);
  for (const tool of ["ip", "nsenter", "docker-compose", "tcpdump", "sh"]) {
    const found = await execa("sh", ["-c", `command -v ${tool}`], { reject: false });
    if (found.exitCode === 0) symlinkSync(String(found.stdout), join(tools, tool));
  }
  return `${dir}:${tools}`;
}

describe("provisioning never touches a user's Docker", () => {
  it("with an engine answering, nothing is installed when nothing is missing", async () => {
    const { dir, log } = standIns();
    const result = await netlab(["provision"], { PATH: `${dir}:${process.env.PATH}` });
    expect(result.exitCode, String(result.all)).toBe(0);
    expect(calls(log).filter((call) => call.startsWith("apt-get"))).toEqual([]);
    expect(String(result.all)).toMatch(/used the running engine/);
  });

  it("control: a missing tool is installed, announced first, with --no-remove, and never docker.io", async () => {
    const { dir, log } = standIns();
    const result = await netlab(["provision"], { PATH: await pathWithoutDot(dir) });
    expect(result.exitCode, String(result.all)).toBe(0);
    const installs = calls(log).filter((call) => call.startsWith("apt-get install"));
    expect(installs).toEqual(["apt-get install -y -qq --no-remove graphviz"]);
    expect(calls(log).join("\n")).not.toMatch(/docker\.io/);
    expect(String(result.all)).toMatch(/^netlab: installing from Debian with apt-get --no-remove: graphviz \(.+\)$/m);
  });

  it("--no-install and NETLAB_NO_INSTALL=1 only say what is missing", async () => {
    for (const [args, env] of [[["provision", "--no-install"], {}], [["provision"], { NETLAB_NO_INSTALL: "1" }]] as const) {
      const { dir, log } = standIns();
      const result = await netlab([...args], { PATH: await pathWithoutDot(dir), ...env });
      expect(result.exitCode, String(result.all)).toBe(0);
      expect(calls(log).filter((call) => call.startsWith("apt-get"))).toEqual([]);
      expect(String(result.all)).toMatch(/^netlab: missing graphviz: /m);
    }
  });
});
