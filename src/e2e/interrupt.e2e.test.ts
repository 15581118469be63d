import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { descendsFrom, docker, leftovers, netlab, vitestLabs } from "./netlab-cli.js";

const SECONDS = 1000;

/**
 * The run id of the child's own run of `lab`: a container whose owner process descends from the child. Other
 * runs of the same lab on this engine (another terminal, a benchmark) are never taken for it.
 */
async function runIdOf(lab: string, child: { pid?: number | undefined }, timeoutMs = 60 * SECONDS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.lab}=${lab}`] } });
    const mine = containers.find((container) => {
      const [host, pid] = (container.Labels[LABEL.owner] ?? "").split(":");
      return host === hostname() && descendsFrom(Number(pid), child.pid ?? -1);
    });
    if (mine) return mine.Labels[LABEL.run] ?? "";
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no run of lab "${lab}" started by the child within ${timeoutMs} ms`);
}

const nothingLeft = { containers: 0, networks: 0, namespaces: 0 };

describe("interrupted runs clean up after themselves", () => {
  it("SIGTERM to netlab mid-run: it exits non-zero within seconds and nothing of the run remains", async () => {
    const child = netlab(["run", "bridge"]);
    const runId = await runIdOf("bridge", child);
    const signalled = Date.now();
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode, String(result.all)).toBe(143);
    expect(Date.now() - signalled).toBeLessThan(20 * SECONDS);
    await expect.poll(() => leftovers(runId), { timeout: 20 * SECONDS, interval: 250 }).toEqual(nothingLeft);
  });

  it("SIGINT (Ctrl-C) to the test runner mid-run: exit 130, and a reaper removes the run", async () => {
    const child = vitestLabs(["labs/none.lab.test.ts"]);
    const runId = await runIdOf("none", child);
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, String(result.all)).toBe(130);
    await expect.poll(() => leftovers(runId), { timeout: 20 * SECONDS, interval: 250 }).toEqual(nothingLeft);
  });

  it("after a SIGKILL, `netlab clean` removes the dead run's debris and spares a run that is still going", async () => {
    const child = vitestLabs(["labs/bridge.lab.test.ts"], {}, { detached: true });
    const runId = await runIdOf("bridge", child);
    // The whole process group, workers included, as an OOM killer or `kill -9 -PGID` would.
    process.kill(-(child.pid ?? 0), "SIGKILL");
    await child;
    expect((await leftovers(runId)).containers, "a SIGKILLed run leaves its containers").toBeGreaterThan(0);

    // A run that is still going: its owner is this (living) test process.
    const live = await docker.createContainer({
      Image: "netlab/probe:latest",
      Cmd: ["sleep", "60"],
      Labels: { [LABEL.managed]: "true", [LABEL.run]: "0a11ve00", [LABEL.owner]: `${hostname()}:${process.pid}` },
    });
    try {
      const cleaned = await netlab(["clean"]);
      expect(cleaned.exitCode, String(cleaned.all)).toBe(0);
      expect(await leftovers(runId)).toEqual(nothingLeft);
      expect((await live.inspect()).Id, "the live run's container survives the clean").toBe(live.id);
    } finally {
      await live.remove({ force: true });
    }
  });
});
