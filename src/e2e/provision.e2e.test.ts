import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { netlab, ROOT, scratchReports } from "./netlab-cli.js";

/**
 * Provisioning on a machine whose engine answers, with recording stand-ins for apt-get and dpkg-query first
 * on PATH: what netlab would install is written to a log instead of happening.
 */
function standIns(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "netlab-apt-"));
  const log = join(dir, "calls.log");
  for (const name of ["apt-get", "dpkg-query"]) {
    writeFileSync(
      join(dir, name),
      `#!/bin/sh\necho "${name} $*" >> ${log}\n${name === "dpkg-query" ? "exit 1" : "exit 0"}\n`,
    );
    chmodSync(join(dir, name), 0o755);
  }
  return { dir, log };
}

const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

/** A PATH holding the stand-ins and every tool netlab looks for except `hidden` (Graphviz's dot unless told). */
async function pathWithout(dir: string, hidden = "dot"): Promise<string> {
  const tools = join(dir, "tools");
  await execa("mkdir", [tools]);
  for (const tool of ["ip", "nsenter", "docker-compose", "tcpdump", "ovs-vswitchd", "ethtool", "dot", "sh"].filter(
    (name) => name !== hidden,
  )) {
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
    const result = await netlab(["provision"], { PATH: await pathWithout(dir) });
    expect(result.exitCode, String(result.all)).toBe(0);
    const installs = calls(log).filter((call) => call.startsWith("apt-get install"));
    expect(installs).toEqual(["apt-get install -y -qq --no-remove --no-install-recommends graphviz"]);
    expect(calls(log).join("\n")).not.toMatch(/docker\.io/);
    expect(String(result.all)).toMatch(/^netlab: installing from Debian with apt-get --no-remove: graphviz \(.+\)$/m);
  });

  it("--no-install and NETLAB_NO_INSTALL=1 only say what is missing, and exit 1 as --help says", async () => {
    for (const [args, env] of [
      [["provision", "--no-install"], {}],
      [["provision"], { NETLAB_NO_INSTALL: "1" }],
    ] as const) {
      const { dir, log } = standIns();
      const result = await netlab([...args], { PATH: await pathWithout(dir), ...env });
      expect(result.exitCode, String(result.all)).toBe(1);
      expect(calls(log).filter((call) => call.startsWith("apt-get"))).toEqual([]);
      expect(String(result.all)).toMatch(/^netlab: missing dot \(Debian package graphviz\): /m);
    }
  });
});

/** `npm test` as npm runs it (npm appends the arguments after `--`), with a reports folder of its own; its output without colours. */
async function npmTest(args: string[], env: Record<string, string>): Promise<{ exitCode?: number; all: string }> {
  const result = await execa(process.execPath, ["scripts/test.mjs", ...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    env: { NETLAB_REPORTS_DIR: scratchReports(), ...env },
  });
  return { exitCode: result.exitCode, all: stripVTControlCharacters(String(result.all)) };
}

describe("npm test sets itself up before vitest starts", () => {
  const VITEST_STARTED = /\bRUN\b.*v\d+\.\d+/;

  it("--no-install and NETLAB_NO_INSTALL=1: each missing tool named in one line, non-zero exit, no test run, nothing installed", async () => {
    // Had the check let the run through, vitest would find no test file and say so: the suite never runs here.
    const noTests = ["--project", "unit", "src/lifecycle/no-such.test.ts"];
    for (const [args, env] of [
      [["--no-install", ...noTests], {}],
      [noTests, { NETLAB_NO_INSTALL: "1" }],
    ] as const) {
      const { dir, log } = standIns();
      const result = await npmTest([...args], { PATH: await pathWithout(dir, "tcpdump"), ...env });
      const output = result.all;
      expect(result.exitCode, output).toBe(1);
      expect(output.match(/^netlab: missing .*$/gm)).toEqual([
        expect.stringMatching(
          /^netlab: missing tcpdump \(Debian package tcpdump\): the labs that read the wire between nodes \(VXLAN, tunnels\); not installed: /,
        ),
      ]);
      expect(output).toMatch(
        /^netlab: 1 tool\(s\) missing and installing is off .*apt-get install --no-remove --no-install-recommends tcpdump/m,
      );
      expect(output).not.toMatch(VITEST_STARTED);
      expect(output).not.toMatch(/Error|\n\s+at /);
      expect(calls(log).filter((call) => call.startsWith("apt-get"))).toEqual([]);
    }
  });

  it("without --no-install: installs what is missing, announced in one line with its reason, before vitest starts", async () => {
    const { dir, log } = standIns();
    const result = await npmTest(["--project", "unit", "src/lifecycle/no-such.test.ts"], {
      PATH: await pathWithout(dir, "dot"),
      NETLAB_UPLINK_WATCH: "0",
    });
    expect(calls(log).filter((call) => call.startsWith("apt-get install"))).toEqual([
      "apt-get install -y -qq --no-remove --no-install-recommends graphviz",
    ]);
    const announced = result.all.search(
      /^netlab: installing from Debian with apt-get --no-remove: graphviz \(the topology pictures in the reports\)$/m,
    );
    expect(announced, result.all).toBeGreaterThanOrEqual(0);
    expect(result.all.search(VITEST_STARTED)).toBeGreaterThan(announced);
  });

  it("control: nothing missing, the uplink watch off: vitest runs with the other arguments and its exit code is npm test's", async () => {
    const { dir } = standIns();
    const PATH = await pathWithout(dir, "none");
    const passed = await npmTest(["--no-install", "--project", "unit", "src/lifecycle/host-packages.test.ts"], {
      PATH,
      NETLAB_UPLINK_WATCH: "0",
    });
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.all).toMatch(VITEST_STARTED);
    expect(passed.all).toMatch(/Tests\s+\d+ passed/);
    expect(passed.all).not.toMatch(/netlab: missing/);
    const none = await npmTest(["--project", "unit", "src/lifecycle/no-such.test.ts"], {
      PATH,
      NETLAB_UPLINK_WATCH: "0",
    });
    expect(none.exitCode, none.all).toBe(1);
    expect(none.all).toMatch(/No test files found/);
  });
});
