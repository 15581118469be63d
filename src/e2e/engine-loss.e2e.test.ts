import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { LABEL } from "../core/labels.js";
import { netlabLines } from "./check-e2e-helpers.js";
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
    const fresh = containers
      .map((container) => container.Labels[LABEL.run] ?? "")
      .find((runId) => runId && !known.has(runId));
    if (fresh) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no run of lab "${lab}" started`);
}

describe("the engine goes away mid-run", () => {
  it("pending checks fail within the configured timeouts, the exit is non-zero, and once the engine is back nothing of the run remains", async () => {
    const pid = await dockerdPid();
    const known = new Set(
      (await docker.listContainers({ all: true })).map((container) => container.Labels[LABEL.run] ?? ""),
    );
    const child = netlab(["run", "none"], { NETLAB_ENGINE_TIMEOUT_MS: String(ENGINE_TIMEOUT_MS) });
    const runId = await runIdOf("none", known);
    // The control of the end's "nothing remains": the same query finds the run's container while it runs.
    const whileRunning = await leftovers(runId);
    // Frozen, not killed: the socket still accepts, nothing answers, as with a hung or overloaded engine.
    process.kill(pid, "SIGSTOP");
    const frozenAt = Date.now();
    let result: Awaited<typeof child>;
    let cleanWhileDown: Awaited<ReturnType<typeof netlab>>;
    try {
      result = await child;
      cleanWhileDown = await netlab(["clean"], { NETLAB_ENGINE_TIMEOUT_MS: String(ENGINE_TIMEOUT_MS) });
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const took = Date.now() - frozenAt;
    expect(result.exitCode, String(result.all).slice(-3000)).not.toBe(0);
    expect(took, "the run and a clean should give up within their timeouts, not hang").toBeLessThan(60 * SECONDS);
    expect(String(result.all)).toMatch(/did not (finish|answer)|timed? ?out|ETIMEDOUT|socket hang up/i);
    // While the engine is down, clean fails and says why in one line.
    expect(cleanWhileDown.exitCode, String(cleanWhileDown.all)).toBe(1);
    expect(netlabLines(cleanWhileDown.all)).toEqual([
      expect.stringMatching(/^netlab: the Docker engine at \S+ did not answer/),
    ]);

    // The engine is back: the first clean succeeds (no retry to hide a failure) and nothing of the run remains.
    const cleanAfter = await netlab(["clean"]);
    expect(cleanAfter.exitCode, String(cleanAfter.all)).toBe(0);
    expect(String(cleanAfter.all)).toMatch(
      /removed \d+ container\(s\), \d+ network\(s\), \d+ namespace\(s\) of runs that are no longer going/,
    );
    expect(whileRunning.containers, "the run's container, seen while it ran").toBeGreaterThan(0);
    expect(await leftovers(runId)).toEqual({ containers: 0, networks: 0, namespaces: 0 });
  });
});
