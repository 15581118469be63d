import { readdirSync, readFileSync } from "node:fs";

/** Parent of every process on this host, read from /proc (Linux only; empty elsewhere). */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return parents;
  }
  for (const entry of entries) {
    try {
      // Field 4 of stat is the parent pid; the command name before it is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), parent);
    } catch {
      // the process ended while we looked
    }
  }
  return parents;
}

/** Every process below `root`, children before grandchildren. */
export function descendantsOf(root: number): number[] {
  const parents = parentsByPid();
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/**
 * Kills the test workers and whatever they started, so that nothing can create a container after the
 * cleanup that follows: an interrupted run's workers would otherwise go on as orphans.
 */
export function killDescendants(root = process.pid): number[] {
  const pids = descendantsOf(root);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids;
}
