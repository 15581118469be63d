import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sweepFlannel } from "../runtime/flannel.js";
import { sweepPods } from "../runtime/cni.js";
import { listNamespaces } from "../runtime/netns.js";
import { parseOwnedNames, type OwnedName } from "../runtime/plugin-namespaces.js";
import { descendsFrom, netlab, vitestLabs } from "./netlab-cli.js";

const SECONDS = 1000;

/** The lab's namespaces that a process of `child` made (their names carry the worker's pid). */
async function madeBy(prefix: string, child: number): Promise<OwnedName[]> {
  return parseOwnedNames(prefix, [...(await listNamespaces())]).filter((found) => descendsFrom(found.pid, child));
}

describe.each([
  { lab: "flannel", prefix: "nlf", sweep: sweepFlannel, built: "-n2b" },
  { lab: "pods", prefix: "nlk", sweep: sweepPods, built: "-c" },
])("the $lab lab after a SIGKILL", ({ lab, prefix, sweep, built }) => {
  it(
    "leaves namespaces and a temp dir that its sweep removes, sparing runs still alive",
    async () => {
      const child = vitestLabs([`labs/${lab}.lab.test.ts`], {}, { detached: true });
      let run: OwnedName | undefined;
      // Killed once its pods exist: namespaces, servers and (pods) host-local's leases are all there to leave.
      await expect
        .poll(
          async () => {
            run = (await madeBy(prefix, child.pid ?? -1)).find((found) => found.name.endsWith(built));
            return run;
          },
          { timeout: 60 * SECONDS, interval: 100 },
        )
        .toBeDefined();
      process.kill(-(child.pid ?? 0), "SIGKILL");
      await child;
      const runId = run?.runId ?? "";
      const ofRun = async () =>
        parseOwnedNames(prefix, [...(await listNamespaces())]).filter((found) => found.runId === runId);
      expect((await ofRun()).length, "a SIGKILLed run leaves its namespaces").toBeGreaterThan(0);
      // Control: a sweep that takes every run for alive removes nothing of it.
      expect(await sweep(() => true)).toEqual([]);
      expect((await ofRun()).length).toBeGreaterThan(0);
      const removed = await sweep((id) => id !== runId);
      expect(removed.length).toBeGreaterThan(0);
      expect(await ofRun()).toEqual([]);
      expect(existsSync(join(tmpdir(), `${prefix}-${runId}-${run?.pid}-tmp`))).toBe(false);
      // The killed run's own sentinel namespace is a dead run's debris too: netlab clean takes it, as the next run would.
      const cleaned = await netlab(["clean"]);
      expect(cleaned.exitCode, String(cleaned.all)).toBe(0);
      expect([...(await listNamespaces())].filter((name) => name.startsWith(`netlab-${runId}-`))).toEqual([]);
    },
    120 * SECONDS,
  );
});
