import { tmpdir } from "node:os";
import { join } from "node:path";
import { holdFileLock } from "./file-lock.js";

/**
 * Docker 20.10 re-creates the FORWARD chain's jumps to DOCKER-USER and DOCKER-ISOLATION-STAGE-1 (delete,
 * then insert first) each time a bridge network is created or removed. In between, nothing isolates one
 * bridge from another: a probe across networks that lands in that window connects.
 *
 * So netlab's own network creations and removals are "churn" (an exclusive lock) and every probe that may
 * assert isolation runs while networks are "steady" (a shared lock): the one cannot happen during the other,
 * across labs, checks and parallel runs on this host. The lock is flock(2) held by a small `flock` process,
 * so a holder that dies (even by SIGKILL) releases it at once.
 */
const LOCK_FILE = join(tmpdir(), "netlab-network-churn.lock");

async function withLock<T>(mode: "shared" | "exclusive", what: string, work: () => Promise<T>): Promise<T> {
  const release = await holdFileLock(LOCK_FILE, mode, what);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Creating or removing networks (or a compose project, a swarm): no isolation probe runs meanwhile. */
export function withNetworkChurn<T>(what: string, work: () => Promise<T>): Promise<T> {
  return withLock("exclusive", what, work);
}

/** Probes that may assert isolation: no network is created or removed while they run. */
export function whileNetworksSteady<T>(what: string, work: () => Promise<T>): Promise<T> {
  return withLock("shared", what, work);
}
