import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parseByHandLinks, parseByHandNamespaces, parseOwnRules } from "../runtime/by-hand.js";
import { descendsFrom, netlab, vitestLabs } from "./netlab-cli.js";
import { isProcessAlive } from "../runtime/owner.js";

const SECONDS = 1000;

/** What of the by-hand lab is on the host now, per run: namespaces, links, iptables rules. */
async function byHandOnHost(): Promise<Map<string, { namespaces: number; links: number; rules: number }>> {
  const [namespaces, links, filter, nat] = await Promise.all([
    execa("ip", ["netns", "list"]),
    execa("ip", ["-o", "link"]),
    execa("iptables", ["-w", "-t", "filter", "-S"]),
    execa("iptables", ["-w", "-t", "nat", "-S"]),
  ]);
  const found = new Map<string, { namespaces: number; links: number; rules: number }>();
  const of = (runId: string) => found.get(runId) ?? found.set(runId, { namespaces: 0, links: 0, rules: 0 }).get(runId)!;
  for (const entry of parseByHandNamespaces(String(namespaces.stdout))) of(entry.runId).namespaces += 1;
  for (const entry of parseByHandLinks(String(links.stdout))) of(entry.runId).links += 1;
  for (const rule of [...parseOwnRules("filter", String(filter.stdout)), ...parseOwnRules("nat", String(nat.stdout))])
    of(rule.runId).rules += 1;
  return found;
}

describe("the by-hand lab leaves nothing on the host", () => {
  it("after a SIGKILL mid-lab, `netlab clean` removes the dead run's namespaces, links and iptables rules", async () => {
    const before = new Set((await byHandOnHost()).keys());
    const child = vitestLabs(["labs/by-hand.lab.test.ts"], { NETLAB_PROBE_TIMEOUT_MS: "3000" }, { detached: true });
    // Wait until the lab has rules in place (X4 on), then kill the whole process group, workers included.
    let runId: string | undefined;
    await expect
      .poll(
        async () => {
          const now = await byHandOnHost();
          // Ours: a run whose namespaces a process of the child made (their names carry the worker's pid), never
          // another run of this lab on the machine.
          const mine = new Set(
            parseByHandNamespaces(String((await execa("ip", ["netns", "list"])).stdout))
              .filter((entry) => descendsFrom(entry.pid, child.pid ?? -1))
              .map((entry) => entry.runId),
          );
          runId = [...now.keys()].find((id) => !before.has(id) && mine.has(id) && (now.get(id)?.rules ?? 0) > 0);
          return runId;
        },
        { timeout: 60 * SECONDS, interval: 100 },
      )
      .toBeDefined();
    process.kill(-(child.pid ?? 0), "SIGKILL");
    await child;
    const left = (await byHandOnHost()).get(runId ?? "");
    expect(left?.namespaces, "a SIGKILLed run leaves its namespaces").toBeGreaterThan(0);
    expect(left?.links).toBeGreaterThan(0);

    const cleaned = await netlab(["clean"]);
    expect(cleaned.exitCode, String(cleaned.all)).toBe(0);
    expect((await byHandOnHost()).get(runId ?? "")).toBeUndefined();
  });

  it("a run that ends removes all of it", async () => {
    const before = new Set((await byHandOnHost()).keys());
    const result = await vitestLabs(["labs/by-hand.lab.test.ts"]);
    expect(result.exitCode, String(result.all)).toBe(0);
    // Another run of this lab still going on the machine (its namespace's process alive) is not a leftover.
    const going = new Set(
      parseByHandNamespaces(String((await execa("ip", ["netns", "list"])).stdout))
        .filter((entry) => isProcessAlive(entry.pid))
        .map((entry) => entry.runId),
    );
    expect([...(await byHandOnHost()).keys()].filter((runId) => !before.has(runId) && !going.has(runId))).toEqual([]);
  });
});
