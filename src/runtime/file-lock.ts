import createDebug from "debug";
import { execa } from "execa";
import { timed } from "./timing.js";

const debug = createDebug("netlab:engine");

export class FileLockError extends Error {
  override name = "FileLockError";
}

/** flock(2) on `file`, shared or exclusive, held by a child process until the returned function is called. */
export async function holdFileLock(file: string, mode: "shared" | "exclusive", purpose: string): Promise<() => Promise<void>> {
  debug("Taking %s (%s) for %s…", file, mode, purpose);
  const asked = Date.now();
  const holder = execa("flock", [`--${mode}`, file, "sh", "-c", "echo held; exec cat"], { stdin: "pipe", stdout: "pipe", stderr: "pipe", reject: false });
  await timed(
    "lock-wait",
    `${mode} ${file}`,
    () =>
      new Promise<void>((resolve, reject) => {
        holder.stdout?.once("data", () => resolve());
        void holder.then((result) =>
          reject(new FileLockError(`lock ${file} (${mode}) for ${purpose} was not taken after ${Date.now() - asked} ms: ${String(result.stderr || result.message)}`)),
        );
      }),
  );
  debug("Took %s (%s) for %s after %d ms", file, mode, purpose, Date.now() - asked);
  return async () => {
    holder.stdin?.end();
    await holder;
    debug("Released %s (%s) for %s", file, mode, purpose);
  };
}

