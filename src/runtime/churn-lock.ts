import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import createDebug from "debug";

const debug = createDebug("netlab:lock");

/**
 * Docker 20.10 re-creates the FORWARD chain's jumps to DOCKER-USER and DOCKER-ISOLATION-STAGE-1 (delete,
 * then insert first) each time a bridge network is created or removed. In between, nothing isolates one
 * bridge from another: a probe across networks that lands in that window connects. Measured here: the jump
 * was missing in 11 of 4000 samples of `iptables -S FORWARD` while 15 networks were created and removed.
 *
 * So netlab's own network creations and removals are "churn" (an exclusive lock) and every probe that may
 * assert isolation runs while networks are "steady" (a shared lock): the one cannot happen during the other,
 * across labs, checks and parallel runs on this host. The lock is flock(2) held by a small `flock` process,
 * so a holder that dies (even by SIGKILL) releases it at once.
 */
const LOCK_FILE = join(tmpdir(), "netlab-network-churn.lock");

async function hold(mode: "-s" | "-x", what: string): Promise<() => Promise<void>> {
  const holder = spawn("flock", [mode, LOCK_FILE, "-c", "echo held; read _"], { stdio: ["pipe", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    holder.once("error", reject);
    holder.once("exit", (code) => reject(new Error(`flock for ${what} exited with ${code} before holding the lock`)));
    holder.stdout.once("data", () => resolve());
  });
  debug("Holding the network-churn lock %s for %s", mode === "-s" ? "shared" : "exclusive", what);
  return () =>
    new Promise<void>((resolve) => {
      holder.removeAllListeners("exit");
      if (holder.exitCode !== null) return resolve();
      holder.once("exit", () => resolve());
      holder.stdin.end();
    });
}

async function withLock<T>(mode: "-s" | "-x", what: string, work: () => Promise<T>): Promise<T> {
  const release = await hold(mode, what);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Creating or removing networks (or a compose project, a swarm): no isolation probe runs meanwhile. */
export function withNetworkChurn<T>(what: string, work: () => Promise<T>): Promise<T> {
  return withLock("-x", what, work);
}

/** Probes that may assert isolation: no network is created or removed while they run. */
export function whileNetworksSteady<T>(what: string, work: () => Promise<T>): Promise<T> {
  return withLock("-s", what, work);
}
