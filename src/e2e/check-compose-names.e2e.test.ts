import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { parse } from "yaml";
import { dockerAsTyped } from "../runtime/as-typed.js";
import { freeHostPort, parseJson, removeProject, runNetlab, scratchDir } from "./check-e2e-helpers.js";

/**
 * Names a user writes that Docker resolves, with compose and by hand: a link alias, `network_mode: service:web`,
 * a --network-alias two containers share, a --link alias; a stack publishing on IPv6 only brought up with --up;
 * compose's own error when it refuses a file; a container that exited, said with why. Each with a control.
 */

const tag = randomBytes(3).toString("hex");
const prefix = `f1-${tag}`;
const project = `f1${tag}`;
const dir = scratchDir("f1-names");
const IMAGE = "netlab/probe:latest";
const docker = (...args: string[]) => dockerAsTyped(args);
const hostPort = await freeHostPort();

afterAll(async () => {
  for (const name of [project, `${project}bad`]) await removeProject(name);
  const { stdout } = await execa("docker", ["ps", "-aq", "--filter", `name=${prefix}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length > 0) await docker("rm", "-f", ...ids);
  await docker("network", "rm", `${prefix}-net`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, lines: string[]): string {
  const path = join(dir, file);
  writeFileSync(path, [...lines, ""].join("\n"));
  return path;
}

const compose = write("docker-compose.yml", [
  "x-svc: &svc",
  `  image: ${IMAGE}`,
  "  init: true",
  "services:",
  "  web:",
  "    <<: *svc",
  "    command: [httpd, -f, -p, '8080']",
  // IPv6 only: testcontainers' port lookup once refused this stack under --up.
  `    ports: ['[::]:${hostPort}:8080']`,
  "  legacy:",
  "    <<: *svc",
  "    command: [sleep, '3600']",
  "    links: ['web:webby']",
  "  side:",
  "    <<: *svc",
  "    network_mode: 'service:web'",
  "    command: [sleep, '3600']",
  "",
]);

describe("compose names under --up (f1)", () => {
  it("a link alias is a target, service:web is container:web, an IPv6-only port comes up; controls fail", async () => {
    const spec = write("names.yaml", [
      "version: 2",
      "compose: docker-compose.yml",
      `project: ${project}`,
      "expect:",
      "  - { id: link, from: legacy, to: webby:8080, reach: yes }",
      "  - { id: link-closed, from: legacy, to: webby:9, reach: yes }",
      "  - { id: mode, network: side, mode: 'container:web' }",
      "  - { id: mode-other, network: side, mode: 'container:legacy' }",
      `  - { id: v6, publishes: web, ports: ['[::]:${hostPort}->8080/tcp'] }`,
    ]);
    const run = await runNetlab(["check", "--up", spec, "--json", "--reports-dir", join(dir, "reports")]);
    expect(run.exitCode, String(run.stderr)).toBe(1);
    const held = Object.fromEntries(parseJson(run).specs[0]!.expectations.map((e) => [e.id, e.held]));
    expect(held).toEqual({ link: true, "link-closed": false, mode: true, "mode-other": false, v6: true });
  });

  it("--record --up writes container:web and names who listened on nothing", async () => {
    const recorded = join(dir, "recorded.yaml");
    const run = await runNetlab(["check", "--record", recorded, "--up", "--compose", compose, "--project", project]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toContain("no port listening when recorded: legacy");
    const text = readFileSync(recorded, "utf8");
    expect(text).toContain("no port listening when recorded: legacy");
    const written = parse(text) as { expect: Record<string, unknown>[] };
    expect(written.expect).toContainEqual({ network: "side", mode: "container:web" });
  });

  it("a file compose refuses is reported in compose's own words, not its first progress line", async () => {
    const badDir = join(dir, "bad");
    mkdirSync(badDir);
    writeFileSync(
      join(badDir, "docker-compose.yml"),
      [
        "services:",
        `  web: { image: '${IMAGE}', command: [sleep, '3600'] }`,
        `  side: { image: '${IMAGE}', network_mode: 'service:web', dns: [127.0.0.1], command: [sleep, '3600'] }`,
        "",
      ].join("\n"),
    );
    const spec = join(badDir, "netlab.yaml");
    writeFileSync(
      spec,
      `version: 2\ncompose: docker-compose.yml\nproject: ${project}bad\nexpect:\n  - { network: web, mode: bridge }\n`,
    );
    const run = await runNetlab(["check", "--up", spec, "--reports-dir", join(dir, "reports-bad")]);
    expect(run.exitCode).toBe(3);
    expect(String(run.stderr)).toContain("conflicting options: dns and the network mode");
    expect(String(run.stderr)).not.toContain("Creating network");
  });
});

describe("names Docker resolves, by hand (f1)", () => {
  it("a shared --network-alias and a --link alias are targets; a missing and an exited container are both named", async () => {
    const net = `${prefix}-net`;
    await docker("network", "create", net);
    for (const name of ["a1", "a2"])
      await docker(
        ...["run", "-d", "--name", `${prefix}-${name}`, "--network", net, "--network-alias", "api"],
        ...["--dns", "127.0.0.1", IMAGE, "httpd", "-f", "-p", "8080"],
      );
    await docker("run", "-d", "--name", `${prefix}-db`, "--network", net, IMAGE, "httpd", "-f", "-p", "5432");
    await docker(
      ...["run", "-d", "--name", `${prefix}-cli`, "--network", net, "--link", `${prefix}-db:database`],
      ...["--dns", "127.0.0.1", IMAGE, "sleep", "3600"],
    );
    await docker("run", "--name", `${prefix}-dead`, IMAGE, "sh", "-c", "echo 'nc: invalid option -- k'; exit 4").catch(
      () => undefined,
    );
    const spec = write("by-hand.yaml", [
      "version: 2",
      "expect:",
      `  - { id: alias, from: ${prefix}-cli, to: api:8080, reach: yes }`,
      `  - { id: alias-closed, from: ${prefix}-cli, to: api:9, reach: yes }`,
      `  - { id: link, from: ${prefix}-cli, to: database:5432, reach: yes }`,
    ]);
    const run = await runNetlab(["check", spec, "--json", "--reports-dir", join(dir, "reports-hand")]);
    expect(run.exitCode, String(run.stderr)).toBe(1);
    const held = Object.fromEntries(parseJson(run).specs[0]!.expectations.map((e) => [e.id, e.held]));
    expect(held).toEqual({ alias: true, "alias-closed": false, link: true });

    const broken = write("broken.yaml", [
      "version: 2",
      "expect:",
      `  - { from: ${prefix}-dead, to: ${prefix}-nowhere:80, reach: yes }`,
    ]);
    const stopped = await runNetlab(["check", broken, "--reports-dir", join(dir, "reports-broken")]);
    expect(stopped.exitCode).toBe(3);
    const said = String(stopped.stderr);
    expect(said).toContain(`no container is named "${prefix}-nowhere"`);
    expect(said).toContain(`${prefix}-dead exited with code 4, logged "nc: invalid option -- k"`);
  });
});
