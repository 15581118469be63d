import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRun } from "../core/labels.js";
import { startNodes, type NodeGroup } from "../lifecycle/nodes.js";
import { execa } from "execa";
import { loadExercises } from "../practice/load-exercise.js";
import { netlab } from "./netlab-cli.js";

/**
 * DOCKER_HOST=tcp:// as a user on another machine has it: netlab runs in netlab's underlay namespace (a host
 * on the nodes' LAN) and checks containers on node 1's engine over plain TCP. Nothing leaves netlab's
 * namespaces: the engine, its containers and the checker are all on the underlay.
 */
const SECONDS = 1000;
let group: NodeGroup;
const run = newRun();
let dir: string;

function spec(name: string, lines: string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, ["version: 1", "expect:", ...lines.map((line) => `  - ${line}`), ""].join("\n"));
  return file;
}

/** netlab check from the underlay namespace, with DOCKER_HOST naming node 1 over TCP. */
function remoteCheck(file: string, extra: Record<string, string> = {}) {
  const node = group.nodes[0]!;
  return netlab(["check", file, "--reports-dir", join(dir, "reports")], { DOCKER_HOST: node.plan.tcpHost, ...extra }, [
    "nsenter",
    `--net=/var/run/netns/${group.plan.underlayNamespace}`,
  ]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "netlab-remote-"));
  group = await startNodes(1, { run });
  const docker = group.nodes[0]!.docker;
  await docker.createNetwork({ Name: "app" });
  for (const [name, command] of [
    ["db", ["httpd", "-f", "-p", "8080"]],
    ["web", ["sleep", "1d"]],
  ] as const) {
    const container = await docker.createContainer({
      name,
      Image: "netlab/probe:latest",
      Cmd: [...command],
      HostConfig: { NetworkMode: "app" },
    });
    await container.start();
  }
}, 120 * SECONDS);

afterAll(async () => {
  await group?.stop();
});

describe("a remote engine named by DOCKER_HOST=tcp://", () => {
  it(
    "netlab check probes the remote engine's containers: what holds passes, what does not fails with a command to paste",
    async () => {
      const held = await remoteCheck(
        spec("held", [
          "{ from: web, to: db:8080, reach: yes, within: 5s }",
          "{ from: web, to: db:9, outcome: refused }",
        ]),
      );
      expect(held.exitCode, String(held.all)).toBe(0);
      expect(String(held.all)).toContain("2 held");
      // Control: the opposite claim fails, so the probe over TCP can tell.
      const opposite = await remoteCheck(spec("opposite", ["{ from: web, to: db:8080, reach: no }"]));
      expect(opposite.exitCode, String(opposite.all)).toBe(1);
      expect(String(opposite.all)).toMatch(/observed connected/);
      expect(String(opposite.all)).toContain("see it: docker run --rm --network container:web");
    },
    120 * SECONDS,
  );

  it(
    "a container the remote engine lacks is one line and exit 3",
    async () => {
      const missing = await remoteCheck(spec("missing", ["{ from: web, to: cache:6379, reach: yes }"]));
      expect(missing.exitCode, String(missing.all)).toBe(3);
      expect(String(missing.all)).toMatch(/no container is named "cache"/);
    },
    60 * SECONDS,
  );

  it(
    "an expectation that probes this machine (host, outside) is refused in one line, exit 3, before any probe",
    async () => {
      const bound = await remoteCheck(
        spec("bound", ["{ from: web, to: db:8080, reach: yes }", "{ from: host, to: db:8080, reach: yes }"]),
      );
      expect(bound.exitCode, String(bound.all)).toBe(3);
      expect(String(bound.all)).toMatch(
        /names an engine on another machine, and 1 expectation\(s\) probe this one \(host, outside, netns:… or its bridges; iptables, route or interfaces of host\) at \S+bound\.yaml:4:5/,
      );
      // Control: the first line alone is checked (the test above), so the refusal is the host line's.
    },
    60 * SECONDS,
  );

  it(
    "an engine that does not answer on that address is one line and exit 3",
    async () => {
      const gone = await remoteCheck(spec("gone", ["{ from: web, to: db:8080, reach: yes }"]), {
        // Node 1's address, a port nothing listens on: refused at once, inside the underlay.
        DOCKER_HOST: group.nodes[0]!.plan.tcpHost.replace(/:\d+$/, ":2"),
      });
      expect(gone.exitCode, String(gone.all)).toBe(3);
      expect(String(gone.stderr).trim().split("\n")).toEqual([
        `netlab: no Docker engine answers at ${group.nodes[0]!.plan.tcpHost.replace(/:\d+$/, ":2")} (DOCKER_HOST): start that engine, or unset DOCKER_HOST`,
      ]);
    },
    60 * SECONDS,
  );

  it(
    "netlab practice on the remote engine: start, the learner's docker commands over TCP, check passes, reset",
    async () => {
      const exercise = loadExercises().find((each) => each.number === 6)!;
      const node = group.nodes[0]!;
      // Progress of its own: the practice tests on the machine's engine run exercise 6 meanwhile.
      const env = { DOCKER_HOST: node.plan.tcpHost, NETLAB_STATE_DIR: mkdtempSync(join(tmpdir(), "netlab-state-")) };
      const underlay = `--net=/var/run/netns/${group.plan.underlayNamespace}`;
      const practice = (args: string[]) => netlab(["practice", ...args], env, ["nsenter", underlay]);
      const typed = (line: string) => execa("nsenter", [underlay, "sh", "-c", line], { reject: false, all: true, env });

      expect((await practice(["start", "6"])).exitCode).toBe(0);
      // Control: before the learner's commands the grade fails.
      const before = await practice(["check", "6"]);
      expect(before.exitCode, String(before.all)).toBe(1);
      for (const line of exercise.solution) expect((await typed(line)).exitCode, line).toBe(0);
      const after = await practice(["check", "6"]);
      expect(after.exitCode, String(after.all)).toBe(0);
      expect(String(after.all)).toMatch(/passed/);
      // What the check sees is the remote engine's: the machine's own has no p6-web.
      expect((await execa("docker", ["inspect", "p6-web"], { reject: false })).exitCode).not.toBe(0);
      const reset = await practice(["reset", "6"]);
      expect(reset.exitCode, String(reset.all)).toBe(0);
      expect((await node.docker.listContainers({ all: true })).map((each) => each.Names[0])).not.toContain("/p6-web");
    },
    120 * SECONDS,
  );

  it(
    "a second group of the same run is refused before anything is made, and the first keeps answering",
    async () => {
      await expect(startNodes(1, { run })).rejects.toThrow(`run ${run.runId} already has a group of nodes`);
      // Control: the first group is whole (its engine answers), so the refusal took nothing of it.
      await expect(group.nodes[0]!.docker.ping()).resolves.toBeTruthy();
    },
    60 * SECONDS,
  );
});
