import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { docker, netlab, scratchReports } from "./netlab-cli.js";

/** netlab explains itself: version, help of every command, the labs and their claims, part of a lab, --keep. */
const COMMANDS = ["provision", "run", "check", "clean", "labs"];

describe("a CLI that explains itself", () => {
  it("says its version", async () => {
    const result = await netlab(["--version"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toBe(
      (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version,
    );
  });

  it("netlab help and netlab help run exit 0 and show the commands, then run's options", async () => {
    const help = await netlab(["help"]);
    expect(help.exitCode).toBe(0);
    for (const command of COMMANDS) expect(String(help.stdout)).toContain(`  ${command}`);
    const helpRun = await netlab(["help", "run"]);
    expect(helpRun.exitCode).toBe(0);
    expect(String(helpRun.stdout)).toMatch(/--keep[\s\S]*--grep/);
  });

  it.each(COMMANDS)("%s --help shows examples, the environment it reads and its exit codes", async (command) => {
    const result = await netlab([command, "--help"]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/Examples:\n {2}netlab /);
    expect(String(result.stdout)).toMatch(/Environment:\n {2}\S/);
    expect(String(result.stdout)).toMatch(/Exit codes:\n {2}0 /);
  });

  it("netlab labs lists every lab with its claim ids, one line each", async () => {
    const result = await netlab(["labs"]);
    expect(result.exitCode).toBe(0);
    const out = String(result.stdout);
    expect(out).toMatch(/^bridge +the default network is the host's docker0 +\(B1 B2 B3 B4 B5 B6 B7 B8 B9\)$/m);
    expect(out).toMatch(/^ {2}B8 +bridge containers reach each other by IP$/m);
    for (const lab of [
      "none",
      "host",
      "container",
      "user-bridge",
      "internal",
      "published",
      "macvlan",
      "overlay",
      "compose",
    ])
      expect(out).toMatch(new RegExp(`^${lab} `, "m"));
  });

  it("matches a lab whatever its case, and suggests the closest for a typo", async () => {
    const listed = await netlab(["labs", "BRIDGE"]);
    expect(listed.exitCode).toBe(0);
    expect(String(listed.stdout)).toMatch(/^bridge /);
    const typo = await netlab(["run", "brigde"]);
    expect(typo.exitCode).toBe(2);
    expect(String(typo.all)).toMatch(/unknown lab "brigde"; did you mean bridge\?/);
    const claim = await netlab(["run", "bridge:B88"]);
    expect(claim.exitCode).toBe(2);
    expect(String(claim.all)).toMatch(/lab bridge has no claim "B88"; did you mean B8\?/);
  });

  it("runs one claim (bridge:B8), a line per claim as it is decided, and --keep leaves the lab for netlab clean", async () => {
    const reports = scratchReports();
    const result = await netlab(["run", "bridge:B8", "--keep", "--no-install"], { NETLAB_REPORTS_DIR: reports });
    const out = String(result.all);
    expect(result.exitCode, out).toBe(0);
    expect(out).toMatch(/^ {2}✓ bridge B8 bridge containers reach each other by IP \(\d+\.\d s\)$/m);
    expect(out).not.toMatch(/✓ bridge B1 /);
    expect(out).toMatch(/netlab: kept \d+ container\(s\) .*netlab clean/);

    const facts = JSON.parse(readFileSync(join(reports, "facts.json"), "utf8")) as {
      run: { runId: string };
      labs: Array<{ checks: Array<{ claim: string; state: string }> }>;
    };
    const decided = facts.labs.flatMap((lab) =>
      lab.checks.filter((check) => check.state !== "skipped").map((check) => check.claim),
    );
    expect(decided).toEqual(["B8"]);
    const ofRun = { label: [`${LABEL.run}=${facts.run.runId}`] };
    const kept = await docker.listContainers({ all: true, filters: ofRun });
    expect(kept.length, "the bridge lab's containers stay").toBeGreaterThan(0);
    expect(kept.every((container) => container.State === "running" && container.Labels[LABEL.kept] === "true")).toBe(
      true,
    );

    // Another run's sweep of dead runs spares them; only clean removes them.
    const other = await netlab(["clean"]);
    expect(other.exitCode, String(other.all)).toBe(0);
    expect(String(other.all)).toMatch(
      /removed \d+ container\(s\) and \d+ network\(s\) that runs with --keep left running/,
    );
    expect(await docker.listContainers({ all: true, filters: ofRun })).toEqual([]);
  });

  it("--grep runs the claims whose name matches", async () => {
    const result = await netlab(["run", "none", "--grep", "loopback is its own", "--no-install"]);
    const out = String(result.all);
    expect(result.exitCode, out).toBe(0);
    expect(out).toMatch(/✓ none N4 /);
    expect(out).not.toMatch(/✓ none N1 /);
  });
});
