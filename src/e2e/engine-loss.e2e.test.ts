import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { docker, leftovers, netlab } from "./netlab-cli.js";

const SECONDS = 1000;
const ENGINE_TIMEOUT_MS = 3000;

async function dockerdPid(): Promise<number> {
  const result = await execa("pidof", ["dockerd"], { reject: false });
  const pid = Number(String(result.stdout).trim().split(" ")[0]);
  if (!pid) throw new Error("no dockerd process on this host to take away (is the engine remote?)");
  return pid;
}

async function runIdOf(lab: string, known: Set<string>): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const containers = await docker.listContainers({ filters: { label: [`${LABEL.lab}=${lab}`] } });
    const fresh = containers.map((container) => container.Labels[LABEL.run] ?? "").find((runId) => runId && !known.has(runId));
    if (fresh) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no run of lab "${lab}" started`);
}

describe("the engine goes away mid-run", () => {
  it("pending checks fail within the configured timeouts, the exit is non-zero, and once the engine is back nothing of the run remains", async () => {
    const pid = await dockerdPid();
    const known = new Set((await docker.listContainers({ all: true })).map((container) => container.Labels[LABEL.run] ?? ""));
    const child = netlab(["run", "none"], { NETLAB_ENGINE_TIMEOUT_MS: String(ENGINE_TIMEOUT_MS) });
    const runId = await runIdOf("none", known);
    // Frozen, not killed: the socket still accepts, nothing answers, as with a hung or overloaded engine.
    process.kill(pid, "SIGSTOP");
    const frozenAt = Date.now();
    let result: Awaited<typeof child>;
    try {
      result = await child;
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const took = Date.now() - frozenAt;
    expect(result.exitCode, String(result.all).slice(-3000)).not.toBe(0);
    expect(took, "the run should give up within its timeouts, not hang").toBeLessThan(60 * SECONDS);
    expect(String(result.all)).toMatch(/did not (finish|answer)|timed? ?out|ETIMEDOUT|socket hang up/i);

    // The engine is back: the next clean removes the dead run's debris.
    await expect.poll(async () => (await netlab(["clean"])).exitCode, { timeout: 60 * SECONDS, interval: 1000 }).toBe(0);
    await expect.poll(() => leftovers(runId), { timeout: 30 * SECONDS, interval: 500 }).toEqual({ containers: 0, networks: 0, namespaces: 0 });
  });
});
