import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ComposeProject, detectCompose, type StartedComposeProject } from "../runtime/compose.js";
import { dockerAsTyped } from "../runtime/as-typed.js";
import { docker } from "./netlab-cli.js";
import { freeHostPort, parseJson, removeProject, runNetlab, scratchDir, uniqueName } from "./check-e2e-helpers.js";

/**
 * Record, then assert: `netlab check --record` writes a spec of a running compose project that `netlab check`
 * passes at once, and that fails once the stack changes (a container disconnected from a network).
 */

const project = `h6${uniqueName("rec").replaceAll("-", "")}`;
const dir = scratchDir("h6-record");
const spec = join(dir, "netlab.yaml");
const hostPort = await freeHostPort();

writeFileSync(
  join(dir, "docker-compose.yml"),
  [
    "x-svc: &svc",
    "  image: netlab/probe:latest",
    "  init: true",
    "services:",
    "  web:",
    "    <<: *svc",
    "    command: [httpd, -f, -p, '80']",
    "    networks: [front]",
    // Published on every host address: the engine lists it once per family it binds (0.0.0.0 and, if any, [::]).
    `    ports: ['${hostPort}:80']`,
    "  api:",
    "    <<: *svc",
    "    command: [httpd, -f, -p, '9000']",
    "    networks: [front, back]",
    "  db:",
    "    <<: *svc",
    "    command: [httpd, -f, -p, '5432']",
    "    networks: [back]",
    "networks:",
    "  front: {}",
    "  back: {internal: true}",
    "",
  ].join("\n"),
);

let stack: StartedComposeProject | undefined;

beforeAll(async () => {
  const compose = await detectCompose();
  if ("missing" in compose) throw new Error(compose.missing);
  stack = await new ComposeProject(docker, {
    cli: compose.cli,
    directory: dir,
    file: "docker-compose.yml",
    projectName: project,
    variables: {},
    images: ["netlab/probe:latest"],
    startupTimeoutMs: 120_000,
    stopTimeoutSeconds: 2,
  }).up();
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]().catch(() => undefined);
  await removeProject(project);
  rmSync(dir, { recursive: true, force: true });
});

const record = (...extra: string[]) =>
  runNetlab(["check", "--record", spec, "--compose", join(dir, "docker-compose.yml"), "--project", project, ...extra]);
const check = () => runNetlab(["check", spec, "--json", "--reports-dir", join(dir, "reports")]);

describe("netlab check --record", () => {
  it("writes a version-2 spec of the running project that netlab check then passes", async () => {
    const run = await record();
    expect(run.exitCode, String(run.all)).toBe(0);
    const text = readFileSync(spec, "utf8");
    expect(text).toMatch(/^# Recorded by netlab check --record on \d{4}-/);
    expect(text).toContain('"." refused');
    expect(text).not.toContain("no port listening");
    const written = parse(text) as { version: number; project: string; expect: Record<string, unknown>[] };
    expect(written).toMatchObject({ version: 2, compose: "docker-compose.yml", project });
    // What was observed: web and db share no network (n), each reaches api, which reaches both.
    expect(written.expect).toContainEqual({
      matrix: {
        from: ["api", "db", "web"],
        to: ["api:9000", "db:5432", "web:80"],
        reach: [
          // The diagonal as observed too (each listens on its own name), not "." (which means refused).
          ["y", "y", "y"],
          ["y", "y", "n"],
          ["y", "n", "y"],
        ],
      },
    });
    expect(written.expect).toContainEqual({ network: "api", attached: ["back", "front"] });
    expect(written.expect).toContainEqual({ from: "web", resolve: "db", reach: "no" });
    expect(written.expect).toContainEqual({
      publishes: "web",
      ports: expect.arrayContaining([`0.0.0.0:${hostPort}->80/tcp`]),
    });

    const checked = await check();
    expect(checked.exitCode, String(checked.all)).toBe(0);
    expect(parseJson(checked).specs[0]!.expectations.every((expectation) => expectation.held)).toBe(true);
  });

  it("never overwrites a spec without --force", async () => {
    const before = readFileSync(spec, "utf8");
    const refused = await record();
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toContain("exists: record into another file, or add --force to overwrite it");
    expect(readFileSync(spec, "utf8")).toBe(before);
  });

  it("control: once api leaves the front network, the recorded spec fails where the stack changed", async () => {
    expect(existsSync(spec)).toBe(true);
    await dockerAsTyped(["network", "disconnect", `${project}_front`, `${project}_api_1`]).catch(async () =>
      // Compose v2 names containers with dashes.
      dockerAsTyped(["network", "disconnect", `${project}_front`, `${project}-api-1`]),
    );
    const checked = await check();
    expect(checked.exitCode, String(checked.all)).toBe(1);
    const failed = parseJson(checked).specs[0]!.expectations.filter((expectation) => !expectation.held);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "network", from: "api" }),
        expect.objectContaining({ kind: "reach", from: "web", to: "api:9000" }),
        expect.objectContaining({ kind: "reach", from: "api", to: "web:80" }),
      ]),
    );
    // Nothing else changed: db still reaches api over back.
    expect(failed).not.toContainEqual(expect.objectContaining({ kind: "reach", from: "db", to: "api:9000" }));
  });
});
