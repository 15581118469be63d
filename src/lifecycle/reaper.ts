// Removes what one run created, from a process of its own: started detached when a run is interrupted, so
// cleanup survives the test runner exiting a millisecond after the signal (as vitest does).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ownScript } from "../runtime/own-script.js";

/** Starts the reaper for `runId` and returns at once; it outlives the caller. */
export function spawnReaper(runId: string): void {
  const child = spawn(process.execPath, [...ownScript("lifecycle/reaper"), runId], { detached: true, stdio: "ignore" });
  child.unref();
}

// Loaded only in the reaper's own process: whoever starts one (the main vitest process) stays light.
async function reap(runId: string): Promise<void> {
  const [{ loadConfig }, { connectEngine }, { sweepRun }] = await Promise.all([
    import("./load-config.js"),
    import("../runtime/engine-client.js"),
    import("./sweep.js"),
  ]);
  const docker = await connectEngine(loadConfig().engineTimeoutMs);
  await sweepRun(docker, runId);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runId = process.argv[2] ?? "";
  if (!/^[0-9a-f]{8}$/.test(runId)) process.exit(2);
  await reap(runId).catch(() => process.exit(1));
}
