import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileLockTimeoutError, holdFileLock } from "./file-lock.js";

/**
 * Things two labs or two runs must not do at the same time on one engine:
 * - `default-bridge`: container starts and removals on the default bridge, so that "which address was free
 *   just before this start" is a fact, not a race;
 * - `address-pools`: creating networks, so "the next subnet from the pools" and a free subnet stay true;
 * - `host-ports`: host-mode servers on the lesson's fixed ports.
 * A holder of several takes them in that order, host-ports → default-bridge → address-pools, or two labs
 * could each wait for the other's. Each is flock(2) on a file in the temp folder (file-lock.ts).
 */
export type HostLockName = "default-bridge" | "address-pools" | "host-ports";

// Longer than any hold netlab makes (a host lab holds host-ports for its whole life): beyond it, a holder is stuck.
const HOLD_LIMIT_MS = 300_000;

/**
 * How long a removal waits for a lock before it goes ahead without it. Going ahead frees an address under
 * another holder's feet (its "in order" fact breaks), so it must outlast any live hold of default-bridge (a
 * start or a removal: seconds); it exists only so that cleanup can never hang. A dead holder's lock is free at once.
 */
export const REMOVAL_PATIENCE_MS = 15_000;

const lockFile = (name: HostLockName) => join(tmpdir(), `netlab-${name}.flock`);

/**
 * Runs `work` holding the lock. With `patienceMs`, work that matters more than the lock (cleanup) runs
 * without it when the lock cannot be had in time.
 */
export async function withHostLock<T>(
  name: HostLockName,
  work: () => Promise<T>,
  options: { patienceMs?: number } = {},
): Promise<T> {
  const patience = options.patienceMs;
  let release: (() => Promise<void>) | undefined;
  try {
    release = await holdFileLock(lockFile(name), "exclusive", name, { waitMs: patience ?? HOLD_LIMIT_MS });
  } catch (error) {
    if (patience === undefined || !(error instanceof FileLockTimeoutError)) throw error;
  }
  try {
    return await work();
  } finally {
    await release?.();
  }
}

/** Holds a lock until the returned function is called (for a whole lab's lifetime). */
export function holdHostLock(name: HostLockName): Promise<() => Promise<void>> {
  return holdFileLock(lockFile(name), "exclusive", name, { waitMs: HOLD_LIMIT_MS });
}
