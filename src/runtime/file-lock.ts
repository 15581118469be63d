import createDebug from "debug";
import { execa } from "execa";
import { timed } from "./timing.js";

const debug = createDebug("netlab:engine");

export class FileLockError extends Error {
  override name = "FileLockError";
}

/** The lock was still held by someone else when `waitMs` ran out. */
export class FileLockTimeoutError extends FileLockError {
  override name = "FileLockTimeoutError";
}

// flock's exit code when -w runs out (-E): told apart from its other failures.
const TIMED_OUT = 75;

/**
 * flock(2) on `file`, shared or exclusive, held by a child process until the returned function is called. The
 * child reads our end of a pipe: a holder that dies, even by SIGKILL, closes it and the lock is free at once.
 * `waitMs`: give up (FileLockTimeoutError) when the lock is not had by then; otherwise wait as long as it takes.
 */
export async function holdFileLock(
  file: string,
  mode: "shared" | "exclusive",
  purpose: string,
  options: { waitMs?: number } = {},
): Promise<() => Promise<void>> {
  debug("Taking %s (%s) for %s…", file, mode, purpose);
  const asked = Date.now();
  const wait = options.waitMs === undefined ? [] : ["-w", String(options.waitMs / 1000), "-E", String(TIMED_OUT)];
  const holder = execa("flock", [`--${mode}`, ...wait, file, "sh", "-c", "echo held; exec cat"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
  });
  await timed(
    "lock-wait",
    `${mode} ${file}`,
    () =>
      new Promise<void>((resolve, reject) => {
        holder.stdout?.once("data", () => resolve());
        void holder.then((result) => {
          const waited = `lock ${file} (${mode}) for ${purpose} was not taken after ${Date.now() - asked} ms`;
          reject(
            result.exitCode === TIMED_OUT
              ? new FileLockTimeoutError(`${waited}: still held by another holder`)
              : new FileLockError(`${waited}: ${String(result.stderr || result.message)}`),
          );
        });
      }),
  );
  debug("Took %s (%s) for %s after %d ms", file, mode, purpose, Date.now() - asked);
  return async () => {
    holder.stdin?.end();
    await holder;
    debug("Released %s (%s) for %s", file, mode, purpose);
  };
}
