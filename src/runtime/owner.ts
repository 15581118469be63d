import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** A run is alive while its owner process exists on this host; runs of other hosts are never judged dead. */
export function isOwnerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(":");
  if (host !== hostname()) return true;
  return isProcessAlive(Number(pidText));
}

/** A killed process that nobody has reaped yet (state Z or X in /proc) still answers kill(pid, 0): it is dead. */
function isZombie(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
