import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * V8 options for the main vitest process. It holds little live data, but its young generation grows to the
 * default size during start-up (config, vite, reporters) and keeps that memory; capped, the process stays
 * smaller at no more CPU (docs/performance.md). `npm test` passes the same.
 */
const VITEST_NODE_OPTIONS = ["--max-semi-space-size=2"];

export class VitestMissingError extends Error {
  override name = "VitestMissingError";
}

/**
 * vitest's own entry script, run with this Node (netlab starts the labs as a child vitest). Installed into a
 * project with production dependencies only, netlab has none: `check` and `practice` need none, labs do.
 */
export function vitestEntry(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  } catch (error) {
    throw new VitestMissingError(
      "labs run in vitest, which is not installed here: npm install --save-dev vitest@^4.1.12 (check and practice need no vitest)",
      { cause: error },
    );
  }
}

/** The arguments for `process.execPath` that start vitest with `args`, as netlab runs it. */
export function vitestArgv(args: string[]): string[] {
  return [...VITEST_NODE_OPTIONS, vitestEntry(), ...args];
}
