import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { netlab } from "./netlab-cli.js";
import { scratchDir } from "./check-e2e-helpers.js";
import { EXAMPLE, nodesLeft, NOTHING, runIdIn, variant } from "./stack-e2e-helpers.js";

/**
 * `netlab check` of a swarm stack as a user runs it (`--up`): three node engines of the run's own, the stack
 * deployed across them, each task probed on its own node, everything removed after. The example as written
 * passes; a stack with api moved off the shared overlay fails exactly the paths through it, with a readable
 * line; bad input stops in one line with the exit code of its kind. After every run nothing of its nodes is left.
 */

describe("control: the query behind “nothing of its nodes is left” sees a group that is there", () => {
  it("lists a running group's folder, namespaces and engines", async () => {
    const { startNodes } = await import("../lifecycle/nodes.js");
    const group = await startNodes(1);
    try {
      const seen = await nodesLeft(group.runId);
      expect(seen.folder).toBe(true);
      expect(seen.namespaces.sort()).toEqual([`nln-${group.runId}-1`, `nlu-${group.runId}`]);
      expect(seen.engines.length).toBeGreaterThan(0);
    } finally {
      await group.stop();
    }
    expect(await nodesLeft(group.runId)).toEqual(NOTHING);
  });
});

describe("netlab check of a swarm stack across three nodes (examples/swarm)", () => {
  it("the example as written: every expectation holds, each web task probed on its own node", async () => {
    const run = await netlab(["check", "examples/swarm/netlab.yaml", "--up"]);
    const output = String(run.all);
    expect(run.exitCode, output).toBe(0);
    expect(output).toMatch(/swarm of 3 node\(s\) formed/);
    // web runs two tasks (node1 and node2, never node3): one decision each, from its own node.
    const webApi = output.split("\n").filter((line) => line.startsWith("✓ web-api/"));
    expect(webApi.map((line) => /\[(web\.\d@node\d) →/.exec(line)?.[1]).sort(), output).toEqual([
      expect.stringMatching(/^web\.1@node[12]$/),
      expect.stringMatching(/^web\.2@node[12]$/),
    ]);
    expect(new Set(webApi.map((line) => /@(node\d)/.exec(line)?.[1])).size).toBe(2);
    expect(output).toMatch(/✓ api-db\/api\.1 {2}\[api\.1@node3 → db:5432\] expected reach yes, observed connected/);
    // The outside, a host on the nodes' LAN, reaches web's mode-host port on each node running a web task.
    expect(output).toMatch(
      /✓ outside-web\/node1 {2}\[outside → 10\.214\.\d+\.1:18080\] expected reach yes, observed connected/,
    );
    expect(output).toMatch(/✓ outside-web\/node2 {2}\[outside → 10\.214\.\d+\.2:18080\]/);
    expect(output).not.toMatch(/outside-web\/node3/);
    expect(output).toMatch(/netlab check: ✓ 13 held, 0 did not hold, of 13 expectation\(s\)/);
    const runId = runIdIn(output);
    expect(runId, output).toBeDefined();
    expect(await nodesLeft(runId!)).toEqual(NOTHING);
  });

  it("api moved off the shared `back` overlay: each web task's path to it fails, saying they share no network", async () => {
    const spec = variant("off-back", (stack) => {
      stack.services.api!.networks = ["data"];
    });
    const run = await netlab(["check", spec, "--up"]);
    const output = String(run.all);
    expect(run.exitCode, output).toBe(1);
    const failed = output.split("\n").filter((line) => line.startsWith("✗ "));
    expect(failed.map((line) => line.split(/\s+/)[1]).sort(), output).toEqual([
      "web",
      "web",
      "web-api/web.1",
      "web-api/web.2",
    ]);
    expect(output).toMatch(/✗ web resolves api\/web\.1/);
    expect(output).toMatch(
      /hint: web\.1@node\d and api share no network \(web\.1@node\d: shopswarm_back, shopswarm_front; api: shopswarm_data\)/,
    );
    // The paths that do not cross back still hold: the probe is not failing everything.
    expect(output).toMatch(/✓ api-db\/api\.1 /);
    expect(await nodesLeft(runIdIn(output)!)).toEqual(NOTHING);
  });

  it.skipIf(existsSync("/proc/net/ip_vs"))(
    "without IPVS: a virtual IP and the routing mesh answer nothing, and each failure says so in one line",
    async () => {
      const spec = variant("vip-ingress", (stack) => {
        const web = stack.services.web as { ports: Array<Record<string, unknown>>; deploy: Record<string, unknown> };
        web.ports = [{ target: 8080, published: 18080, mode: "ingress" }];
        web.deploy.endpoint_mode = "vip";
        (stack.services.api as { deploy: Record<string, unknown> }).deploy.endpoint_mode = "vip";
      });
      const run = await netlab(["check", spec, "--up"]);
      const output = String(run.all);
      expect(run.exitCode, output).toBe(1);
      const failed = output.split("\n").filter((line) => line.startsWith("✗ "));
      expect(failed.map((line) => line.split(/\s+/)[1]).sort(), output).toEqual([
        "outside-web/node1",
        "outside-web/node2",
        "outside-web/node3",
        "web-api/web.1",
        "web-api/web.2",
      ]);
      expect(output).toMatch(
        /hint: port 18080 is published through the routing mesh \(ingress\), which swarm runs on IPVS, and this kernel has no IPVS \(\/proc\/net\/ip_vs absent\): publish it with mode: host/,
      );
      expect(output).toMatch(
        /hint: api is reached at its virtual IP \(10\.214\.[\d., ]+\), which swarm balances with IPVS, and this kernel has no IPVS/,
      );
      // Names still resolve (to the VIP), and the paths not through IPVS still hold.
      expect(output).toMatch(/✓ web resolves api\/web\.1 /);
      expect(output).toMatch(/✓ api-db\/api\.1 /);
      expect(await nodesLeft(runIdIn(output)!)).toEqual(NOTHING);
    },
  );

  it("a task that cannot start stops the check in one line with the task's error, and nothing is left", async () => {
    const spec = variant("no-binary", (stack) => {
      stack.services.db!.command = ["/no/such/server"];
    });
    const run = await netlab(["check", spec, "--up"]);
    const output = String(run.all);
    expect(run.exitCode, output).toBe(3);
    const line = output.split("\n").find((text) => text.startsWith("netlab: "));
    expect(line, output).toMatch(
      /^netlab: service shopswarm_db cannot start: task shopswarm_db\.1 on node2 (failed|rejected): .*no such file/i,
    );
    expect(await nodesLeft(runIdIn(output)!)).toEqual(NOTHING);
  });
});

describe("bad input to a stack check: one line, the exit code of its kind, no node started", () => {
  it("an image this machine's engine lacks is refused before any node starts: never pulled (exit 3)", async () => {
    const spec = variant("no-image", (stack) => {
      stack.services.db!.image = "netlab/absent-from-this-machine:1";
    });
    const run = await netlab(["check", spec, "--up"]);
    expect(run.exitCode, String(run.all)).toBe(3);
    expect(String(run.stderr).trim().split("\n")).toEqual([
      "netlab: the stack names image(s) this machine's engine does not have: netlab/absent-from-this-machine:1: netlab never pulls; docker load or build it first",
    ]);
    expect(runIdIn(String(run.all))).toBeUndefined();
  });

  it("a service the stack does not have, and a node count out of range: every problem at its line (exit 2)", async () => {
    const dir = scratchDir("bad-spec");
    cpSync(EXAMPLE, dir, { recursive: true });
    const spec = join(dir, "netlab.yaml");
    writeFileSync(
      spec,
      readFileSync(spec, "utf8").replace("nodes: 3", "nodes: 9").replace("to: api:9000", "to: cache:9000"),
    );
    const run = await netlab(["check", spec, "--up"]);
    expect(run.exitCode, String(run.all)).toBe(2);
    const lines = String(run.stderr).trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/netlab\.yaml:8:8 node count 9 is out of range: 1 to 5$/),
      expect.stringMatching(/netlab\.yaml:\d+:9 unknown service `cache`; services in stack\.yml: api, db, web$/),
    ]);
  });

  it("from outside to a port the service does not publish: refused at its line before any node starts (exit 2)", async () => {
    const dir = scratchDir("unpublished");
    cpSync(EXAMPLE, dir, { recursive: true });
    const spec = join(dir, "netlab.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("to: web:18080", "to: web:18081"));
    const run = await netlab(["check", spec, "--up"]);
    expect(run.exitCode, String(run.all)).toBe(2);
    expect(String(run.stderr).trim().split("\n")).toEqual([
      expect.stringMatching(
        /netlab\.yaml:\d+:5 web publishes no port 18081 \(it publishes 18080 \(host\)\): from outside a service is reached at a port its ports: publish$/,
      ),
    ]);
    expect(runIdIn(String(run.all))).toBeUndefined();
  });

  it("stack: without --up when this engine manages no swarm (exit 3)", async () => {
    const run = await netlab(["check", "examples/swarm/netlab.yaml"]);
    expect(run.exitCode, String(run.all)).toBe(3);
    expect(String(run.stderr).trim().split("\n")).toEqual([
      "netlab: stack stack.yml without --up is checked on this engine's swarm, but this engine manages no swarm: run with --up (netlab starts 3 nodes of its own and deploys it there)",
    ]);
  });
});
