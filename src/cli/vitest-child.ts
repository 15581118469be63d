import { constants } from "node:os";
import { execa } from "execa";
import { vitestArgv } from "./vitest-entry.js";

/**
 * Runs vitest in a child process on this terminal and waits for it. Ctrl-C reaches vitest from the terminal
 * (same process group) and a SIGTERM sent to this process alone is passed on; either way this process waits
 * for vitest's own cleanup (it removes its containers on signals) instead of dying first.
 * Resolves to vitest's exit code, or 128 + the signal's number when a signal ended it, as a shell reports it.
 */
export async function runVitest(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<number> {
  const child = execa(process.execPath, vitestArgv(args), {
    cwd: options.cwd,
    env: options.env,
    stdio: "inherit",
    reject: false,
  });
  const onInterrupt = () => {};
  const onTerminate = () => child.kill("SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  try {
    const result = await child;
    if (result.signal) return 128 + constants.signals[result.signal];
    return result.exitCode ?? 1;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  }
}
