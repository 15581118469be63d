import { tmpdir } from "node:os";
import { join } from "node:path";
import { lock } from "proper-lockfile";

const LOCK_PATH = join(tmpdir(), "netlab-default-bridge");

/**
 * Serialises container starts and removals on the default bridge across labs and runs, so that "which
 * address was free just before this start" is a fact, not a race.
 */
export async function withDefaultBridgeLock<T>(work: () => Promise<T>): Promise<T> {
  const release = await lock(LOCK_PATH, {
    realpath: false,
    stale: 30_000,
    retries: { retries: 600, minTimeout: 20, maxTimeout: 100 },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
