import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createdDuring,
  ownedContainers,
  parseJson,
  remains,
  runIdOf,
  runNetlab,
  scratchDir,
  uniqueName,
  type CheckRun,
  type JsonExpectation,
  startHttpServer,
} from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";

/**
 * A learner's hand-made setup, built with plain docker commands and no run or owner label of netlab's: netlab checks it
 * without --up and leaves it exactly as it was.
 */

const prefix = uniqueName("lab");
const names = {
  lan: `${prefix}-lan`,
  web: `${prefix}-web`,
  api: `${prefix}-api`,
  iso: `${prefix}-iso`,
  old: `${prefix}-old`,
};
const containers = [names.web, names.api, names.iso, names.old];
const dir = scratchDir("learner");
const reports = join(dir, "reports");

// Reads take no lock; what changes the engine takes the locks netlab takes (as-typed.ts).
const docker = (...args: string[]) => dockerAsTyped(args);

/** What a learner's container is, as far as netlab could change it. */
async function snapshot() {
  const inspected = JSON.parse((await docker("inspect", ...containers)).stdout) as {
    Id: string;
    Name: string;
    RestartCount: number;
    State: { Running: boolean; StartedAt: string; Pid: number };
    Config: { Labels: Record<string, string> };
    HostConfig: { NetworkMode: string };
    NetworkSettings: {
      Networks: Record<string, { EndpointID: string; IPAddress: string; MacAddress: string; Aliases: string[] | null }>;
    };
  }[];
  const network = JSON.parse((await docker("network", "inspect", names.lan)).stdout)[0] as {
    Id: string;
    Containers: Record<string, { Name: string; EndpointID: string; IPv4Address: string }>;
    Labels: Record<string, string>;
  };
  return {
    containers: inspected.map((info) => ({
      id: info.Id,
      name: info.Name,
      running: info.State.Running,
      startedAt: info.State.StartedAt,
      pid: info.State.Pid,
      restarts: info.RestartCount,
      labels: info.Config.Labels,
      networkMode: info.HostConfig.NetworkMode,
      networks: info.NetworkSettings.Networks,
    })),
    lan: { id: network.Id, endpoints: network.Containers, labels: network.Labels },
  };
}

/** Containers and networks whose name starts with this test's prefix, and every container still on the engine with this test's names. */
async function ours() {
  const [ps, networks] = await Promise.all([
    docker("ps", "-a", "--filter", `name=${prefix}`, "--format", "{{.Names}}"),
    docker("network", "ls", "--filter", `name=${prefix}`, "--format", "{{.Name}}"),
  ]);
  return {
    containers: ps.stdout.split("\n").filter(Boolean).sort(),
    networks: networks.stdout.split("\n").filter(Boolean).sort(),
  };
}

let before: Awaited<ReturnType<typeof snapshot>>;
let run: CheckRun;
let byId: Map<string, JsonExpectation>;

beforeAll(async () => {
  // As a learner types them; every container resolves unknown names at 127.0.0.1 inside itself, so nothing leaves the machine.
  await dockerAsTyped(["network", "create", names.lan]);
  await startHttpServer(names.web, 8080, { network: names.lan });
  await startHttpServer(names.api, 9000, { network: names.lan });
  await startHttpServer(names.iso, 8080, { network: "none" });
  await startHttpServer(names.old, 8080);
  writeFileSync(
    join(dir, "my-setup.yaml"),
    [
      "version: 1",
      "expect:",
      `  - {id: web-api, from: ${names.web}, to: '${names.api}:9000', reach: yes, within: 5s}`,
      `  - {id: web-api-wrong-port, from: ${names.web}, to: '${names.api}:9001', outcome: refused}`,
      `  - {id: web-resolves-api, from: ${names.web}, resolve: ${names.api}, reach: yes}`,
      `  - {id: nothing-reaches-iso, from: ${names.web}, to: '${names.iso}:8080', outcome: unreachable}`,
      `  - {id: iso-reaches-nothing, from: ${names.iso}, to: '${names.api}:9000', outcome: unreachable}`,
      `  - {id: old-is-cut-off, from: ${names.old}, to: '${names.web}:8080', outcome: timed-out}`,
      "  # the learner's mistake: names do not resolve on the default bridge",
      `  - {id: old-resolves-web, from: ${names.old}, resolve: ${names.web}, reach: yes}`,
      "",
    ].join("\n"),
  );
  before = await snapshot();
  run = await runNetlab(["check", join(dir, "my-setup.yaml"), "--json", "--reports-dir", reports]);
  byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
});

afterAll(async () => {
  await dockerAsTyped(["rm", "-f", ...containers], { reject: false });
  await dockerAsTyped(["network", "rm", names.lan], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe("a learner's hand-made containers, checked without --up", () => {
  it("decides what the learner built: the path, the closed port, the name, --network none both ways, the default bridge cut off", () => {
    const observed = Object.fromEntries(
      [...byId.values()].map((expectation) => [expectation.id, [expectation.held, expectation.observed]]),
    );
    expect(observed).toEqual({
      "web-api": [true, "connected"],
      "web-api-wrong-port": [true, "refused"],
      "web-resolves-api": [true, expect.stringMatching(/^resolved to \d+\.\d+\.\d+\.\d+ from DNS \(127\.0\.0\.11\)$/)],
      "nothing-reaches-iso": [true, "unreachable"],
      "iso-reaches-nothing": [true, "unreachable"],
      "old-is-cut-off": [true, "timed-out"],
      "old-resolves-web": [false, expect.stringMatching(/^(timed-out|refused|not-found|failed): /)],
    });
  });

  it("explains the mistake: on the default bridge only /etc/hosts names containers; exit 1", () => {
    expect(byId.get("old-resolves-web")!.hint).toContain(
      "on the default bridge Docker's DNS answers for no container: a name resolves there only from /etc/hosts",
    );
    expect(run.exitCode, String(run.stderr)).toBe(1);
  });

  it("leaves every container exactly as it was: same ids, running, same start, networks, endpoints and labels", async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(after.containers.every((container) => container.running)).toBe(true);
    // Only the label of the image they run (dev.netlab.image); no managed, run, owner or lab label of netlab's.
    for (const container of after.containers) expect(container.labels).toEqual({ "dev.netlab.image": "probe" });
    expect(after.lan.labels).toEqual({});
  });

  it("leaves nothing of its own: its probe sidecars (one per source) came and went, no extra container or network", async () => {
    // The detector sees what the check made: one sidecar per source container (web, iso, old), each created and removed.
    const made = await createdDuring(run.events, { pid: run.pid });
    expect(made.filter((event) => event.startsWith("container create"))).toHaveLength(3);
    expect(await ownedContainers(run.pid)).toEqual([]);
    expect(await remains({ pid: run.pid, runId: runIdOf(reports) })).toEqual({
      projectContainers: [],
      projectNetworks: [],
      netlabContainers: [],
      run: { containers: 0, networks: 0, namespaces: 0 },
    });
    expect(await ours()).toEqual({ containers: [...containers].sort(), networks: [names.lan] });
    expect(readFileSync(join(reports, "junit.xml"), "utf8")).toContain('<testcase name="old-resolves-web"');
  });
});
