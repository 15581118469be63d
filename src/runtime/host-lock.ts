import { tmpdir } from "node:os";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { timed } from "./timing.js";

/**
 * Things two labs or two runs must not do at the same time on one engine:
 * - `default-bridge`: container starts and removals on the default bridge, so that "which address was free
 *   just before this start" is a fact, not a race;
 * - `address-pools`: creating networks, so "the next subnet from the pools" and a free subnet stay true;
 * - `host-ports`: host-mode servers on the lesson's fixed ports.
 * A holder of several takes them in that order, host-ports → default-bridge → address-pools (after the
 * embedded-DNS lock, which comes first: embedded-dns-lock.ts), or two labs
 * could each wait for the other's.
 */
export type HostLockName = "default-bridge" | "address-pools" | "host-ports";

// A holder that dies (SIGKILL) leaves its lock behind; it counts as stale once not refreshed for this long.
const STALE_MS = 10_000;

/**
 * How long a removal waits for a lock before it goes ahead without it. Going ahead frees an address under
 * another holder's feet (its "in order" fact breaks), so it must outlast any live hold and a dead holder's
 * lock going stale; it exists only so that cleanup can never hang.
 */
export const REMOVAL_PATIENCE_MS = STALE_MS + 5_000;

/**
 * Runs `work` holding the lock. With `patienceMs`, work that matters more than the lock (cleanup) runs
 * without it when the lock cannot be had in time.
 */
export async function withHostLock<T>(name: HostLockName, work: () => Promise<T>, options: { patienceMs?: number } = {}): Promise<T> {
  const patience = options.patienceMs;
  let release: (() => Promise<void>) | undefined;
  try {
    release = await timed("lock-wait", name, () =>
      lock(join(tmpdir(), `netlab-${name}`), {
        realpath: false,
        stale: STALE_MS,
        retries: patience === undefined ? { retries: 1200, minTimeout: 20, maxTimeout: 100 } : { retries: Math.ceil(patience / 100), minTimeout: 100, maxTimeout: 100 },
      }),
    );
  } catch (error) {
    if (patience === undefined) throw error;
  }
  try {
    return await work();
  } finally {
    await release?.();
  }
}

/** Holds a lock until the returned function is called (for a whole lab's lifetime). */
export async function holdHostLock(name: HostLockName): Promise<() => Promise<void>> {
  return lock(join(tmpdir(), `netlab-${name}`), {
    realpath: false,
    stale: STALE_MS,
    retries: { retries: 3000, minTimeout: 50, maxTimeout: 200 },
  });
}
