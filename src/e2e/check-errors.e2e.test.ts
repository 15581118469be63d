import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyFromShop,
  createdDuring,
  netlabLines,
  projectObjects,
  runNetlab,
  scratchDir,
  uniqueName,
  startHttpServer,
} from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";
import { REPORTS_MARKER } from "../report/reports-dir.js";

/**
 * What `netlab check` says when it cannot check: a bad spec (exit 2, one `FILE:LINE:COL message` line per
 * problem) and an environment it cannot work in (exit 3, one `netlab:` line). Either way nothing is created.
 */

const dir = scratchDir("errors");
copyFromShop("docker-compose.yml", dir);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function spec(name: string, ...lines: string[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const HEAD = ["version: 1", "compose: docker-compose.yml", "expect:"];

describe.concurrent("spec errors: FILE:LINE:COL message, exit 2, nothing made on the engine", () => {
  it.each([
    // name, spec lines (1-based; line 4 is the first expectation), the one problem line (after "FILE:")
    [
      "unknown-key",
      [...HEAD, "  - from: web", "    to: api:9000", "    reach: yes", "    nmae: storefront"],
      "7:5 unknown key `nmae` in a reach expectation (did you mean `name`?)",
    ],
    [
      "unknown-service",
      [...HEAD, "  - from: wbe", "    to: api:9000", "    reach: yes"],
      "4:11 unknown service `wbe` (did you mean `web`?); services in docker-compose.yml: api, cache, db, edge, web, worker",
    ],
    [
      "bad-port",
      [...HEAD, "  - from: web", "    to: api:90000", "    reach: yes"],
      "5:9 bad port 90000 in `api:90000`: a number from 1 to 65535",
    ],
    // Pointed at the second of the two, the outcome's value.
    [
      "reach-and-outcome",
      [...HEAD, "  - from: web", "    to: api:9000", "    reach: yes", "    outcome: refused"],
      "7:14 `reach` and `outcome` together: give one of them",
    ],
    // The short row, at its `[`.
    [
      "ragged",
      [
        ...HEAD,
        "  - matrix:",
        "      from: [edge, web]",
        "      to: [web:8080, api:9000]",
        "      reach:",
        "        - [y, n]",
        "        - [y]",
      ],
      "9:11 ragged matrix: row 2 has 1 cells for 2 `to` entries",
    ],
    // The flow sequence opened on line 5 is still open where the next key starts (line 6, col 5): there the yaml package sees it.
    [
      "yaml-syntax",
      [...HEAD, "  - from: web", "    to: [api:9000", "    reach: yes"],
      "6:5 Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ])("%s", async (name, lines, problem) => {
    const path = spec(name, ...(lines as string[]));
    const project = uniqueName(`bad-${name}`);
    const run = await runNetlab([
      "check",
      path,
      "--up",
      "--project",
      project,
      "--reports-dir",
      join(dir, `reports-${name}`),
    ]);
    expect(run.exitCode, String(run.all)).toBe(2);
    const stderr = String(run.stderr).split("\n").filter(Boolean);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]!.startsWith(`${path}:${problem}`), `${stderr[0]}\n  should start with ${path}:${problem}`).toBe(
      true,
    );
    expect(String(run.stdout)).toBe("");
    expect(await createdDuring(run.events, { project, pid: run.pid })).toEqual([]);
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [] });
  });
});

describe("environment errors: one netlab: line, exit 3, nothing made on the engine", () => {
  const stopped = uniqueName("stopped");

  afterAll(async () => {
    await dockerAsTyped(["rm", "-f", stopped], { reject: false });
  });

  async function expectEnvironmentError(
    args: string[],
    message: RegExp,
    env: Record<string, string> = {},
    image?: string,
  ) {
    const run = await runNetlab(["check", ...args, "--reports-dir", join(dir, "reports-env")], env);
    expect(run.exitCode, String(run.all)).toBe(3);
    const lines = netlabLines(run.all);
    expect(lines, String(run.all)).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    if (!env.DOCKER_HOST)
      expect(await createdDuring(run.events, { pid: run.pid, ...(image ? { image } : {}) })).toEqual([]);
  }

  it("a spec naming a container that does not exist", async () => {
    const ghost = uniqueName("ghost");
    const path = spec("ghost", "version: 1", "expect:", `  - {from: ${ghost}, to: '${ghost}:80', reach: no}`);
    await expectEnvironmentError([path], new RegExp(`^netlab: no container is named "${ghost}": see "docker ps -a"$`));
  });

  it("a container that exists but is stopped", async () => {
    await dockerAsTyped([
      "run",
      "-d",
      "--name",
      stopped,
      "--dns",
      "127.0.0.1",
      "--init",
      "netlab/probe:latest",
      "sleep",
      "600",
    ]);
    await dockerAsTyped(["stop", "-t", "1", stopped]);
    const path = spec("stopped", "version: 1", "expect:", `  - {from: ${stopped}, to: '${stopped}:80', reach: no}`);
    await expectEnvironmentError([path], new RegExp(`^netlab: not running: ${stopped} \\(${stopped}\\): start it`));
    const state = await execa("docker", ["inspect", "-f", "{{.State.Status}}", stopped]);
    expect(state.stdout).toBe("exited");
  });

  it("no engine at DOCKER_HOST", async () => {
    const path = spec("host-only", "version: 1", "expect:", "  - {from: host, to: 'host:1', reach: no}");
    await expectEnvironmentError([path], /^netlab: .*unix:\/\/\/nonexistent\.sock/, {
      DOCKER_HOST: "unix:///nonexistent.sock",
    });
  });

  it("a probe image that is not on the engine (NETLAB_IMAGE): refused, never pulled", async () => {
    const path = spec("host-only-image", "version: 1", "expect:", "  - {from: host, to: 'host:1', reach: no}");
    await expectEnvironmentError(
      [path],
      /^netlab: image "netlab\/nonexistent:1" \(NETLAB_IMAGE\) is not on this engine and netlab never pulls/,
      { NETLAB_IMAGE: "netlab/nonexistent:1" },
      "netlab/nonexistent",
    );
    const inspected = await execa("docker", ["image", "inspect", "netlab/nonexistent:1"], { reject: false });
    expect(inspected.exitCode).not.toBe(0);
  });
});

/** junit.xml's totals, as a CI test tab reads them. */
function junitTotals(xml: string): { tests: number; failures: number; errors: number } {
  const head = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? "";
  const count = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(head)?.[1] ?? Number.NaN);
  return { tests: count("tests"), failures: count("failures"), errors: count("errors") };
}

const GREEN_SUMMARY = "# netlab: ✓ 28 passed in 1 lab(s), 4.2 s\n";
const GREEN_JUNIT =
  '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="netlab" tests="28" failures="0" errors="0" skipped="0" time="4.200">\n</testsuites>\n';

/** A reports directory as an earlier green run left it: what a CI job's `if: always()` step would publish. */
function staleGreenReports(name: string): string {
  const reports = join(dir, `stale-${name}`);
  mkdirSync(join(reports, "allure-results"), { recursive: true });
  writeFileSync(join(reports, "summary.md"), GREEN_SUMMARY);
  writeFileSync(join(reports, "junit.xml"), GREEN_JUNIT);
  writeFileSync(join(reports, "facts.json"), "{}\n");
  writeFileSync(join(reports, "allure-results", "old-result.json"), "{}\n");
  writeFileSync(join(reports, REPORTS_MARKER), "");
  return reports;
}

describe.concurrent(
  "a CI job never publishes an earlier run's green: a check that stops says so in its reports",
  () => {
    it("the probe reads an earlier green run's files as green (control)", () => {
      const reports = staleGreenReports("control");
      expect(junitTotals(readFileSync(join(reports, "junit.xml"), "utf8"))).toEqual({
        tests: 28,
        failures: 0,
        errors: 0,
      });
      expect(readFileSync(join(reports, "summary.md"), "utf8")).toMatch(/^# netlab: ✓/);
    });

    it.each([
      ["bad-spec", 2, ["version: 1", "expect:", "  - {from: web, to: 'api:90000', reach: yes}"], /bad port 90000/],
      [
        "environment",
        3,
        ["version: 1", "expect:", `  - {from: ${uniqueName("ghost")}, to: 'nobody:80', reach: no}`],
        /netlab: no container is named/,
      ],
    ] as const)(
      "exit %s (%i): summary.md and junit.xml say failed and why; nothing else of the earlier run stays",
      async (outcome, exitCode, lines, why) => {
        const reports = staleGreenReports(outcome);
        const run = await runNetlab(["check", spec(`stale-${outcome}`, ...lines), "--reports-dir", reports]);
        expect(run.exitCode, String(run.all)).toBe(exitCode);
        const junit = readFileSync(join(reports, "junit.xml"), "utf8");
        expect(junitTotals(junit)).toEqual({ tests: 1, failures: 1, errors: 0 });
        expect(/<failure message="([^"]*)"/.exec(junit)?.[1]).toMatch(why);
        const summary = readFileSync(join(reports, "summary.md"), "utf8");
        expect(summary.split("\n")[0]).toBe(
          `# netlab: ✗ stopped before deciding any expectation: ${outcome} (exit ${exitCode})`,
        );
        expect(summary).toMatch(why);
        expect(readdirSync(reports).sort()).toEqual([REPORTS_MARKER, "junit.xml", "summary.md"]);
      },
    );
  },
);

describe("--json prints one result object on stdout for every exit code", () => {
  const web = uniqueName("json-web");

  beforeAll(async () => {
    await startHttpServer(web, 8080, { init: true });
  });
  afterAll(async () => {
    await dockerAsTyped(["rm", "-f", web], { reject: false });
  });

  it.each([
    [0, "held", () => ["version: 1", "expect:", `  - {from: ${web}, to: '${web}:8080', reach: yes}`]],
    [1, "not-held", () => ["version: 1", "expect:", `  - {from: ${web}, to: '${web}:8080', reach: no}`]],
    [2, "bad-spec", () => ["version: 1", "expect:", `  - {from: ${web}, to: '${web}:90000', reach: yes}`]],
    [
      3,
      "environment",
      () => ["version: 1", "expect:", `  - {from: ${uniqueName("ghost")}, to: '${web}:8080', reach: yes}`],
    ],
  ] as const)("exit %i (%s)", async (exitCode, outcome, lines) => {
    const run = await runNetlab([
      "check",
      spec(`json-${exitCode}`, ...lines()),
      "--json",
      "--reports-dir",
      join(dir, `reports-json-${exitCode}`),
    ]);
    expect(run.exitCode, String(run.all)).toBe(exitCode);
    const result = JSON.parse(String(run.stdout)) as {
      exitCode: number;
      outcome: string;
      specs: { held: boolean }[];
      errors: string[];
    };
    expect(result).toMatchObject({ exitCode, outcome });
    if (exitCode <= 1) {
      expect(result.specs.map((checked) => checked.held)).toEqual([exitCode === 0]);
      expect(result.errors).toEqual([]);
    } else {
      expect(result.specs).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(String(run.stderr)).toContain(result.errors[0]);
    }
  });

  it("a usage error (no spec named) too: exit 2", async () => {
    const run = await runNetlab(["check", "--json"]);
    expect(run.exitCode, String(run.all)).toBe(2);
    expect(JSON.parse(String(run.stdout))).toMatchObject({
      exitCode: 2,
      outcome: "bad-spec",
      specs: [],
      errors: [expect.stringMatching(/missing required argument/)],
    });
  });
});
