import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { NODE_DATA_ROOT, NODE_RUN_ROOT, nodeNamespaceRun } from "../core/node-plan.js";
import { netlab } from "./netlab-cli.js";

const SECONDS = 1000;
const PORT = 7000;

/** What of a run's nodes is on the machine: namespaces, processes (dockerd, containerd, shims, containers), mounts, directories. */
function leftovers(runId: string): { namespaces: number; processes: number; mounts: number; dirs: number } {
  const runDir = join(NODE_RUN_ROOT, runId);
  const dataDir = join(NODE_DATA_ROOT, runId);
  const namespaces = (existsSync("/run/netns") ? readdirSync("/run/netns") : []).filter(
    (name) => nodeNamespaceRun(name) === runId,
  ).length;
  const processes = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`${runDir}/`);
      } catch {
        return false;
      }
    }).length;
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => [runDir, dataDir].some((dir) => (line.split(" ")[4] ?? "").startsWith(dir))).length;
  return { namespaces, processes, mounts, dirs: [runDir, dataDir].filter((dir) => existsSync(dir)).length };
}

const NOTHING = { namespaces: 0, processes: 0, mounts: 0, dirs: 0 };

/** The run's node engines running now: dockerd processes of its own (the group's containerd alone is not one). */
function engines(runId: string): number {
  const runDir = join(NODE_RUN_ROOT, runId);
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return (argv[0] ?? "").endsWith("dockerd") && argv.some((arg) => arg.startsWith(`${runDir}/`));
      } catch {
        return false;
      }
    }).length;
}

/** Node runs on the machine now, by their namespaces. */
function nodeRuns(): Set<string> {
  return new Set(
    (existsSync("/run/netns") ? readdirSync("/run/netns") : []).flatMap((name) => nodeNamespaceRun(name) ?? []),
  );
}

/** `sh -c` a line as a learner pastes it. */
function shell(line: string) {
  return execa("sh", ["-c", line], { reject: false, all: true });
}

const started = new Set<string>();
afterAll(async () => {
  // A failed test must not leave engines running on the machine.
  if ([...started].some((runId) => leftovers(runId).dirs + leftovers(runId).namespaces > 0))
    await netlab(["nodes", "down"]);
});

describe("netlab nodes: engines of netlab's own, for a learner to drive by hand", () => {
  it(
    "up 2 --swarm: both engines answer through the printed commands (socket and TCP), carry the probe image, form one swarm, reach each other over the underlay; down leaves nothing",
    async () => {
      const up = await netlab(["nodes", "up", "2", "--swarm"]);
      expect(up.exitCode, String(up.all)).toBe(0);
      const runId = /nln-([0-9a-f]{8})-1/.exec(String(up.stdout))?.[1] ?? "";
      started.add(runId);
      expect(leftovers(runId), "the leftover query sees the nodes while they are up").toMatchObject({
        namespaces: 3,
        dirs: 2,
      });
      expect(leftovers(runId).processes, "a dockerd per node and the group's containerd").toBeGreaterThanOrEqual(3);

      const ls = await netlab(["nodes", "ls"]);
      expect(ls.exitCode, String(ls.all)).toBe(0);
      const exports = String(ls.stdout)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith(`export DOCKER_HOST=unix://${NODE_RUN_ROOT}/${runId}/`));
      expect(exports).toHaveLength(2);
      for (const [offset, line] of exports.entries()) {
        const info = await shell(`${line} && docker info --format '{{.DockerRootDir}}'`);
        expect(info.stdout, String(info.all)).toBe(join(NODE_DATA_ROOT, runId, `n${offset + 1}`));
        const image = await shell(`${line} && docker image inspect --format '{{.Id}}' netlab/probe:latest`);
        expect(image.exitCode, String(image.all)).toBe(0);
      }
      // Control: the same query without the printed line asks the machine's own engine, not a node.
      expect((await shell("docker info --format '{{.DockerRootDir}}'")).stdout).not.toContain(NODE_DATA_ROOT);

      // The same engines over TCP from the underlay namespace (a host on the nodes' LAN), as printed.
      const overTcp = String(ls.stdout)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith(`nsenter --net=/var/run/netns/nlu-${runId} docker -H tcp://`));
      expect(overTcp).toHaveLength(2);
      const tcpInfo = await shell(overTcp[1]!.replace(/ ps$/, " info --format '{{.Name}} {{.Swarm.LocalNodeState}}'"));
      expect(tcpInfo.stdout, String(tcpInfo.all)).toBe("node2 active");
      // One swarm: node1 manages, node2 works; the machine's engine is in none.
      const swarmNodes = await shell(`${exports[0]} && docker node ls --format '{{.Hostname}} {{.Status}}'`);
      expect(String(swarmNodes.stdout).split("\n").sort(), String(swarmNodes.all)).toEqual([
        "node1 Ready",
        "node2 Ready",
      ]);
      expect((await shell("docker info --format '{{.Swarm.LocalNodeState}}'")).stdout).toBe("inactive");

      const [one, two] = exports;
      const underlayOfTwo =
        new RegExp(`nln-${runId}-2\\s+node2\\s+running\\s+underlay (\\S+)/`).exec(String(ls.stdout))?.[1] ?? "";
      const server = await shell(
        `${two} && docker run -d -p ${PORT}:${PORT} netlab/probe:latest nc -ll -p ${PORT} -e echo reached`,
      );
      expect(server.exitCode, String(server.all)).toBe(0);
      const reach = (port: number) =>
        shell(`${one} && docker run --rm netlab/probe:latest nc -w 3 ${underlayOfTwo} ${port}`);
      await expect
        .poll(async () => (await reach(PORT)).stdout, { timeout: 10 * SECONDS, interval: 200 })
        .toBe("reached");
      // Control: a port node 2 does not publish is refused, so the probe can tell.
      const refused = await reach(PORT + 1);
      expect(refused.stdout).toBe("");
      expect(refused.all).toMatch(/refused/i);

      const down = await netlab(["nodes", "down"]);
      expect(down.exitCode, String(down.all)).toBe(0);
      expect(down.stdout).toContain(`nln-${runId}-2`);
      expect(leftovers(runId)).toEqual(NOTHING);
    },
    120 * SECONDS,
  );

  it("a count out of range is one line and exit 2, and nothing is made", async () => {
    const before = nodeRuns();
    const result = await netlab(["nodes", "up", "9"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr).trim().split("\n")).toEqual([
      'netlab: node count "9" must be a whole number from 1 to 5',
    ]);
    expect([...nodeRuns()].filter((runId) => !before.has(runId))).toEqual([]);
  });

  it.each([
    [
      "not root",
      {},
      ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
      "netlab: node engines need root: netlab makes network namespaces for them (run it with sudo)",
    ],
    [
      "no dockerd on PATH",
      { PATH: "/usr/bin:/bin" },
      [],
      "netlab: no dockerd on PATH to start node engines with: install Debian's docker.io (or put dockerd on PATH)",
    ],
  ] as const)("%s: one line, exit 1, nothing made", async (_, env, prefix, line) => {
    const before = nodeRuns();
    const result = await netlab(["nodes", "up", "1"], env, [...prefix]);
    expect(String(result.all).trim().split("\n")).toEqual([line]);
    expect(result.exitCode).toBe(1);
    expect([...nodeRuns()].filter((runId) => !before.has(runId))).toEqual([]);
  });

  /** Starts `nodes up 2` and returns its run id once a node engine (a dockerd) of it is running: midway. */
  async function upMidway() {
    const before = nodeRuns();
    const child = netlab(["nodes", "up", "2"], {}, []);
    let runId = "";
    await expect
      .poll(
        () => {
          runId = [...nodeRuns()].find((id) => !before.has(id)) ?? "";
          return runId && engines(runId);
        },
        { timeout: 30 * SECONDS, interval: 20 },
      )
      .toBeGreaterThan(0);
    started.add(runId);
    return { child, runId };
  }

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s midway through up removes what it had started",
    async (signal, code) => {
      const { child, runId } = await upMidway();
      child.kill(signal);
      const result = await child;
      expect(result.exitCode, String(result.all)).toBe(code);
      expect(leftovers(runId)).toEqual(NOTHING);
    },
    60 * SECONDS,
  );

  it(
    "SIGKILL midway through up leaves engines running, and netlab clean removes every part",
    async () => {
      const { child, runId } = await upMidway();
      child.kill("SIGKILL");
      await child;
      expect(engines(runId), "a SIGKILLed up leaves its engines behind").toBeGreaterThan(0);
      const cleaned = await netlab(["clean"]);
      expect(cleaned.exitCode, String(cleaned.all)).toBe(0);
      expect(leftovers(runId)).toEqual(NOTHING);
    },
    60 * SECONDS,
  );
});
