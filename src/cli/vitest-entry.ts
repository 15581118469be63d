import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * V8 options for the main vitest process. It holds little live data, but its young generation grows to the
 * default size during start-up (config, vite, reporters) and keeps that memory; capped, the process stays
 * smaller at no more CPU (docs/performance.md). `npm test` passes the same.
 */
const VITEST_NODE_OPTIONS = ["--max-semi-space-size=2"];

/** vitest's own entry script, run with this Node (netlab starts the labs as a child vitest). */
function vitestEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
}

/** The arguments for `process.execPath` that start vitest with `args`, as netlab runs it. */
export function vitestArgv(args: string[]): string[] {
  return [...VITEST_NODE_OPTIONS, vitestEntry(), ...args];
}
