// Removes what one run created, from a process of its own: started detached when a run is interrupted, so
// cleanup survives the test runner exiting a millisecond after the signal (as vitest does).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadConfig } from "./load-config.js";
import { connectEngine } from "../runtime/engine-client.js";
import { sweepRun } from "./sweep.js";

const SELF = fileURLToPath(import.meta.url);

/** Starts the reaper for `runId` and returns at once; it outlives the caller. */
export function spawnReaper(runId: string): void {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, runId], { detached: true, stdio: "ignore" });
  child.unref();
}

async function reap(runId: string): Promise<void> {
  const docker = await connectEngine(loadConfig().engineTimeoutMs);
  await sweepRun(docker, runId);
}

if (process.argv[1] === SELF) {
  const runId = process.argv[2] ?? "";
  if (!/^[0-9a-f]{8}$/.test(runId)) process.exit(2);
  await reap(runId).catch(() => process.exit(1));
}
