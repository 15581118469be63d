import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  createdDuring,
  parseJson,
  remains,
  removeProject,
  runIdOf,
  runNetlab,
  scratchDir,
  uniqueName,
} from "./check-e2e-helpers.js";

/**
 * `--up` waits for what the spec probes to listen before judging: a server that starts listening seconds after its
 * container started is checked once it listens, and a port nothing ever listens on is judged as it is (no hang).
 */

const project = `h6${uniqueName("wait").replaceAll("-", "")}`;
const slowBox = `${project}-slowbox`;
const dir = scratchDir("h6-wait");
const reports = join(dir, "reports");

const PROBE = "netlab/probe:latest";
writeFileSync(
  join(dir, "docker-compose.yml"),
  stringify({
    services: {
      web: { image: PROBE, command: ["sleep", "3600"], networks: ["front"], init: true },
      // busybox httpd listens only after the sleep: a check that does not wait sees "refused".
      slow: {
        image: PROBE,
        container_name: slowBox,
        command: ["sh", "-c", "sleep 4; exec httpd -f -p 8080"],
        networks: { front: { aliases: ["late"] } },
        init: true,
      },
    },
    networks: { front: {} },
  }),
);
writeFileSync(
  join(dir, "netlab.yaml"),
  stringify({
    version: 2,
    compose: "docker-compose.yml",
    project,
    expect: [
      { id: "slow-listens", from: "web", to: "slow:8080", reach: "yes" },
      // Its container_name and its network alias name the same container; `front` is the compose key of
      // `<project>_front`.
      { id: "by-container-name", from: "web", to: `${slowBox}:8080`, reach: "yes" },
      { id: "by-alias", from: "web", resolve: "late", reach: "yes" },
      { id: "to-alias", from: "web", to: "late:8080", reach: "yes" },
      { id: "network-key", network: "slow", attached: ["front"] },
      // The control: nothing ever listens on 9090, so the wait gives up after its `within` and the check says so.
      { id: "never-listens", from: "web", to: "slow:9090", reach: "yes", within: "2s" },
    ],
  }),
);

afterAll(async () => {
  await removeProject(project);
  rmSync(dir, { recursive: true, force: true });
});

describe("netlab check --up waits for listeners", () => {
  it("judges a late server once it listens, and says which port never listened", async () => {
    const run = await runNetlab(["check", join(dir, "netlab.yaml"), "--up", "--json", "--reports-dir", reports]);
    const output = String(run.stderr);
    expect(output).toMatch(
      /waited \d+\.\d s: slow:8080 listened after \d+\.\d s, [\w-]+:8080 after \d+\.\d s, late:8080 after \d+\.\d s; slow:9090 never listened within \d+\.\d s \(checked as they are\)/,
    );
    const byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
    // Held at the first probe: the wait, not a retry, is what let it connect.
    expect(byId.get("slow-listens")).toMatchObject({ held: true, observed: "connected", attempts: 1 });
    expect(byId.get("by-container-name")).toMatchObject({ held: true, observed: "connected" });
    expect(byId.get("by-alias")).toMatchObject({ held: true });
    expect(byId.get("to-alias")).toMatchObject({ held: true, observed: "connected" });
    expect(byId.get("network-key")).toMatchObject({ held: true });
    expect(byId.get("network-key")!.detail).toContain(`${project}_front`);
    expect(byId.get("never-listens")).toMatchObject({ held: false, observed: "refused" });
    expect(run.exitCode).toBe(1);
    expect(await remains({ project, pid: run.pid, runId: runIdOf(reports) })).toEqual({
      projectContainers: [],
      projectNetworks: [],
      netlabContainers: [],
      run: { containers: 0, networks: 0, namespaces: 0 },
    });
  });
});

describe("the never-pull guard of --up", () => {
  it("sees an image inherited through a YAML merge key, and stops before compose would pull it", async () => {
    const missing = "h6-not-here/probe:never";
    const other = `h6${uniqueName("pull").replaceAll("-", "")}`;
    const folder = scratchDir("h6-pull");
    writeFileSync(
      join(folder, "docker-compose.yml"),
      [
        "x-svc: &svc",
        `  image: ${missing}`,
        "services:",
        "  web:",
        "    <<: *svc",
        "    command: [sleep, '60']",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(folder, "netlab.yaml"),
      stringify({
        version: 2,
        compose: "docker-compose.yml",
        project: other,
        expect: [{ network: "web", attached: ["default"] }],
      }),
    );
    try {
      const run = await runNetlab(["check", join(folder, "netlab.yaml"), "--up", "--reports-dir", join(folder, "r")]);
      expect(run.exitCode, String(run.all)).toBe(3);
      expect(String(run.stderr)).toContain(`image "${missing}" of compose project "${other}" is not on the engine`);
      expect(createdDuring(run.events, { project: other, image: missing })).toEqual([]);
    } finally {
      await removeProject(other);
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
