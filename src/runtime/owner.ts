import { hostname } from "node:os";

/** A run is alive while its owner process exists on this host; runs of other hosts are never judged dead. */
export function isOwnerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(":");
  if (host !== hostname()) return true;
  return isProcessAlive(Number(pidText));
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
